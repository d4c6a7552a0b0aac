// External executors: the Flow starts only its gateway and reaches executors already running elsewhere, each
// host:port a replica: two weft workers, and a Jina-compatible executor built from jina.proto alone (no weft code).
// A client generated from jina.proto alone drives that gateway (Call, process_single_data, _status, dry_run,
// health). An external address with nothing listening fails requests with UNAVAILABLE naming the address, and
// fails the dry run, while the gateway stays up and keeps serving healthy paths.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Flow, UnavailableError } from '../../../src/index.js';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';
import { freePort } from '../../../src/testing/index.js';
import { WhoAmI } from './fixtures/executors.js';
import { type JinaExecutorServer, serveJinaExecutor } from './fixtures/jina-executor.js';
import type { Msg } from './fixtures/jina-protos.js';
import { plain } from './fixtures/jina-protos.js';
import { dataRequest, ProtoGatewayClient } from './fixtures/proto-client.js';

/** What each answered document says about who processed it: [id, weft replica, Jina executor]. */
function stamps(res: Msg): [string, unknown, unknown][] {
  return res.data.docs.docs.map((d: Msg) => {
    const tags = plain(d.tags) as Record<string, unknown>;
    return [d.id, tags.runtime, tags.jina];
  });
}

describe('Flow with external executors', { timeout: 180_000 }, () => {
  const workers: InProcessWorker[] = [];
  let jina: JinaExecutorServer;
  let flow: Flow;
  let proto: ProtoGatewayClient;
  before(async () => {
    workers.push(
      await startWorkerInProcess({ uses: WhoAmI, name: 'ext/rep-0' }),
      await startWorkerInProcess({ uses: WhoAmI, name: 'ext/rep-1' }),
    );
    jina = await serveJinaExecutor('py-exec');
    flow = await new Flow()
      .add({ name: 'ext', external: true, host: '127.0.0.1', port: workers.map((w) => w.port) })
      .add({ name: 'py-exec', external: true, host: ['127.0.0.1'], port: jina.port })
      .start();
    proto = new ProtoGatewayClient(`127.0.0.1:${flow.port}`);
  });
  after(async () => {
    proto?.close();
    await flow?.close();
    await Promise.all([...workers.map((w) => w.stop()), jina?.stop()]);
  });

  it('starts no executor process and gives the gateway every external address, each a replica', () => {
    assert.equal(flow.pids().length, 1);
    assert.deepEqual(flow.addresses, {
      ext: workers.map((w) => `127.0.0.1:${w.port}`),
      'py-exec': [`127.0.0.1:${jina.port}`],
    });
  });

  it('a jina.proto client: process_single_data through weft replicas and the Jina executor', async () => {
    const res = await proto.processSingleData(dataRequest('single-1', '/index', [{ id: 'p1', text: 'hi' }]));
    assert.equal(res.header.request_id, 'single-1');
    assert.equal(res.header.status, undefined);
    assert.deepEqual(
      res.routes.map((r: Msg) => r.executor),
      ['gateway', 'ext', 'py-exec'],
    );
    assert.deepEqual(stamps(res), [['p1', (stamps(res)[0] as unknown[])[1], 'py-exec']]);
    assert.match(String(stamps(res)[0]?.[1]), /^ext\/rep-[01]$/);
    assert.equal(res.data.docs.docs[0].text, 'hi');
  });

  it('a jina.proto client: a JinaRPC/Call stream of requests, balanced over the external replicas', async () => {
    const ids = ['c1', 'c2', 'c3', 'c4'];
    const answers = await proto.call(ids.map((id) => dataRequest(id, '/index', [{ id: `doc-${id}` }])));
    assert.deepEqual(answers.map((a) => a.header.request_id).sort(), ids);
    const replicas = answers.map((a) => stamps(a)[0]?.[1]);
    assert.deepEqual([...new Set(replicas)].sort(), ['ext/rep-0', 'ext/rep-1']);
    assert.ok(answers.every((a) => stamps(a)[0]?.[2] === 'py-exec'));
  });

  it('a jina.proto client: _status, health and dry_run', async () => {
    const info = await proto.status();
    assert.equal(info.jina.runtime, 'gateway');
    assert.equal(await proto.health(), 'SERVING');
    const dry = await proto.dryRun();
    assert.equal(dry.code ?? 'SUCCESS', 'SUCCESS', dry.description);
  });

  it('the weft Client reaches the same executors, and can target the external Jina executor alone', async () => {
    const docs = await flow.post('/', [{ id: 'w1' }]);
    assert.match(String(docs.at(0)?.tags.runtime), /^ext\/rep-[01]$/);
    assert.equal(docs.at(0)?.tags.jina, 'py-exec');
    const before = jina.served;
    const only = await flow.post('/', [{ id: 'w2' }], { targetExecutor: 'py-exec' });
    assert.deepEqual(only.at(0)?.tags, { jina: 'py-exec' });
    assert.equal(jina.served, before + 1);
  });
});

describe('Flow with an unreachable executor', { timeout: 180_000 }, () => {
  let jina: JinaExecutorServer;
  let deadPort: number;
  let flow: Flow;
  before(async () => {
    jina = await serveJinaExecutor('alive');
    deadPort = await freePort(); // nothing listens there
    flow = await new Flow()
      .add({ name: 'alive', external: true, port: jina.port })
      .add({ name: 'dead', external: true, port: deadPort, needs: 'gateway' })
      .start();
  });
  after(async () => {
    await flow?.close();
    await jina?.stop();
  });

  it('fails a request that needs it with UNAVAILABLE naming its address; the gateway stays up', async () => {
    await assert.rejects(flow.post('/', [{ id: 'x' }]), (err: UnavailableError) => {
      assert.ok(err instanceof UnavailableError, String(err));
      assert.equal(err.code, 'WEFT_UNAVAILABLE');
      assert.match(err.message, new RegExp(`'dead'.*127\\.0\\.0\\.1:${deadPort}`));
      return true;
    });
    // a path that avoids it still works, on the same gateway
    const docs = await flow.post('/', [{ id: 'y' }], { targetExecutor: 'alive' });
    assert.equal(docs.at(0)?.tags.jina, 'alive');
    assert.equal(await flow.client.isFlowReady(), true);
  });

  it('a jina.proto client gets gRPC UNAVAILABLE naming the address', async () => {
    const proto = new ProtoGatewayClient(`127.0.0.1:${flow.port}`);
    try {
      await assert.rejects(proto.processSingleData(dataRequest('r', '/', [{ id: 'x' }])), (err: Error) => {
        assert.equal((err as Error & { code: number }).code, 14);
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${deadPort}`));
        return true;
      });
    } finally {
      proto.close();
    }
  });

  it('fails the dry run, naming the address (Client and JinaGatewayDryRunRPC/dry_run)', async () => {
    const status = await flow.client.dryRun();
    assert.equal(status.code, 1);
    assert.match(status.description, new RegExp(`127\\.0\\.0\\.1:${deadPort}`));
    assert.equal(status.exception?.executor, 'dead');
    const proto = new ProtoGatewayClient(`127.0.0.1:${flow.port}`);
    try {
      const s = await proto.dryRun();
      assert.equal(s.code, 'ERROR');
      assert.match(s.description, new RegExp(`127\\.0\\.0\\.1:${deadPort}`));
    } finally {
      proto.close();
    }
  });
});
