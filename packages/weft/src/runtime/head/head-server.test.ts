import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, credentials, status } from '@grpc/grpc-js';
import { echo, type FakeHandler, type FakeRuntime, startFakeRuntime } from '../../../test/fixtures/fake-runtime.js';
import { DocumentArray } from '../../document/index.js';
import { statusFromError } from '../../errors/index.js';
import { RuntimeClient } from '../../networking/index.js';
import { DataRequest } from '../../request/index.js';
import type { HeadConfig } from './head-config.js';
import { HeadServer } from './head-server.js';

/** A shard that adds match `m-<shard>` to every doc and reports itself under `__results__`. */
function matcher(shard: number): FakeHandler {
  return (reqs) => {
    const req = reqs[0] as DataRequest;
    for (const d of req.docs) {
      d.matches.push({ id: `m-${shard}` });
      d.tags.servedBy = `s${shard}`;
    }
    req.routes.push({ executor: 'dep' });
    req.parameters = { ...req.parameters, __results__: { [`dep/shard-${shard}/rep-0`]: { shard } } };
    return { response: req };
  };
}

function request(endpoint: string, ids = ['a', 'b']): DataRequest {
  return new DataRequest({
    header: { execEndpoint: endpoint },
    routes: [{ executor: 'gateway' }],
    docs: new DocumentArray(ids.map((id) => ({ id }))),
  });
}

describe('HeadServer', () => {
  const shards: FakeRuntime[] = [];
  const extra: FakeRuntime[] = [];
  const heads: HeadServer[] = [];
  const clients: RuntimeClient[] = [];

  const head = async (config: Partial<HeadConfig>, targets = shards) => {
    const server = new HeadServer(
      {
        name: 'dep/head',
        deployment: 'dep',
        host: '127.0.0.1',
        port: 0,
        shards: targets.map((s, i) => ({ name: `dep/shard-${i}`, replicas: [{ address: s.address }] })),
        ...config,
      },
      { log: () => undefined },
    );
    heads.push(server);
    await server.start();
    const client = new RuntimeClient(server.address, { name: 'dep/head' });
    clients.push(client);
    return { server, client };
  };

  before(async () => {
    for (let i = 0; i < 3; i++)
      shards.push(await startFakeRuntime(`s${i}`, matcher(i), { endpoints: [`/only-${i}`, '/search'] }));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const h of heads.splice(0)) await h.stop({ graceMs: 1000 });
    for (const rt of extra.splice(0)) await rt.stop();
  });
  after(async () => {
    for (const s of shards) await s.stop();
  });

  it('polling ANY sends each request to exactly one shard, round robin', async () => {
    const { client } = await head({ polling: 'ANY' });
    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await client.processSingleData(request('/index', ['a']));
      assert.equal(res.docs.at(0)?.matchCount, 1);
      assert.equal(Object.keys(res.parameters.__results__ as object).length, 1);
      served.push(String(res.docs.at(0)?.tags.servedBy));
    }
    assert.deepEqual(served, ['s0', 's1', 's2', 's0', 's1', 's2']);
  });

  it('polling ALL reduces every shard’s answer by id and sets the shard trailers', async () => {
    const { client } = await head({ polling: { '/search': 'all', '*': 'ANY' } });
    let trailers: Record<string, unknown> = {};
    const res = await client.processSingleData(request('/search'), { onTrailers: (md) => (trailers = md.getMap()) });
    assert.deepEqual(
      [...res.docs].map((d) => [d.id, [...d.matches].map((m) => m.id)]),
      [
        ['a', ['m-0', 'm-1', 'm-2']],
        ['b', ['m-0', 'm-1', 'm-2']],
      ],
    );
    assert.equal(res.docs.at(0)?.tags.servedBy, 's0'); // first non-empty field wins, in shard order
    assert.deepEqual(Object.keys(res.parameters.__results__ as object).sort(), [
      'dep/shard-0/rep-0',
      'dep/shard-1/rep-0',
      'dep/shard-2/rep-0',
    ]);
    assert.deepEqual(
      res.routes.map((r) => r.executor),
      ['gateway', 'dep'],
    );
    assert.deepEqual([trailers.total_shards, trailers.failed_shards], ['3', '0']);
  });

  it('answers from the shards that worked when some fail, and fails only when all do', async () => {
    const down = await startFakeRuntime('down', echo('down'));
    await down.stop();
    const down2 = await startFakeRuntime('down2', echo('down2'));
    await down2.stop();
    const { client } = await head({ polling: 'ALL', retries: 0 }, [
      shards[0] as FakeRuntime,
      down,
      shards[2] as FakeRuntime,
    ]);
    let trailers: Record<string, unknown> = {};
    const res = await client.processSingleData(request('/search'), { onTrailers: (md) => (trailers = md.getMap()) });
    assert.deepEqual(
      [...(res.docs.at(0)?.matches ?? [])].map((m) => m.id),
      ['m-0', 'm-2'],
    );
    assert.deepEqual([trailers.total_shards, trailers.failed_shards], ['3', '1']);

    const { client: dead } = await head({ polling: 'ALL', retries: 0 }, [down, down2]);
    await assert.rejects(dead.processSingleData(request('/search')), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_UNAVAILABLE');
      assert.match(err.message, /no shard of 'dep' could serve the request/);
      assert.ok(err.message.includes(down.address) && err.message.includes(down2.address), err.message);
      return true;
    });
  });

  it('polling ANY moves on to another shard when one has no live replica', async () => {
    const down = await startFakeRuntime('down', echo('down'));
    await down.stop();
    const { client } = await head({ polling: 'ANY', retries: 0 }, [down, shards[1] as FakeRuntime]);
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.processSingleData(request('/index', ['a']))).docs.at(0)?.tags.servedBy, 's1');
    }
  });

  it('propagates an executor error of a shard in-band', async () => {
    const failing = await startFakeRuntime('bad', (reqs) => {
      const req = reqs[0] as DataRequest;
      req.header.status = statusFromError(new RangeError('index corrupt'), 'dep/shard-1/rep-0');
      return { response: req, trailers: { 'is-error': 'true' } };
    });
    extra.push(failing);
    const { client } = await head({ polling: 'ALL' }, [shards[0] as FakeRuntime, failing]);
    let trailers: Record<string, unknown> = {};
    const res = await client.processSingleData(request('/search'), { onTrailers: (md) => (trailers = md.getMap()) });
    assert.equal(res.isError, true);
    assert.equal(res.status?.exception?.name, 'RangeError');
    assert.equal(trailers['is-error'], 'true');
  });

  it('runs uses_before before fan-out and gives uses_after every shard’s answer instead of reducing', async () => {
    const before = await startFakeRuntime('before', (reqs) => {
      const req = reqs[0] as DataRequest;
      for (const d of req.docs) d.tags.stamped = true;
      return { response: req };
    });
    const afterRt = await startFakeRuntime('after', (reqs) => {
      const out = reqs[0] as DataRequest;
      out.docs = new DocumentArray(
        [...out.docs].map((d) => ({
          id: d.id,
          text: `parts=${reqs.length} stamped=${d.tags.stamped} from=${reqs.map((r) => r.docs.get(d.id)?.tags.servedBy).join('+')}`,
        })),
      );
      return { response: out };
    });
    extra.push(before, afterRt);
    const { client } = await head({
      polling: 'ALL',
      usesBefore: { name: 'dep/uses-before', replicas: [{ address: before.address }] },
      usesAfter: { name: 'dep/uses-after', replicas: [{ address: afterRt.address }] },
    });
    const res = await client.processSingleData(request('/search', ['a']));
    assert.equal(res.docs.at(0)?.text, 'parts=3 stamped=true from=s0+s1+s2');
    assert.equal(afterRt.received.length, 3); // one process_data call with the three answers
  });

  it('forwards lists with process_data, streams over Call and forwards metadata', async () => {
    const seen: string[] = [];
    const listing = await startFakeRuntime('list', (reqs, md) => {
      seen.push(`${reqs.length}:${md.get('x-trace')[0] ?? ''}`);
      return { response: reqs[0] as DataRequest };
    });
    extra.push(listing);
    const { client } = await head({}, [listing]);
    await client.processData([request('/x', ['a']), request('/x', ['b'])], { metadata: { 'x-trace': 't1' } });
    const stream = client.call({ metadata: { 'x-trace': 't2' } });
    stream.send(request('/x', ['c']));
    stream.send(request('/x', ['d']));
    stream.end();
    const ids: string[] = [];
    for await (const res of stream) ids.push(String(res.docs.at(0)?.id));
    assert.deepEqual(ids.sort(), ['c', 'd']);
    assert.deepEqual(seen, ['2:t1', '1:t2', '1:t2']);
  });

  it('ends a Call stream with UNAVAILABLE when no shard can serve a request on it, as the unary call fails', async () => {
    const down = await startFakeRuntime('down', echo('down'));
    await down.stop();
    const { client } = await head({ polling: 'ALL', retries: 0 }, [down]);
    const stream = client.call();
    stream.send(request('/search'));
    stream.end();
    const drain = async () => {
      for await (const _ of stream);
    };
    await assert.rejects(drain(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_UNAVAILABLE');
      assert.match(err.message, /could not serve \/jina\.JinaRPC\/Call: head dep\/head: no replica of 'dep\/shard-0'/);
      return true;
    });
  });

  it('discovers the union of the shards’ endpoints and reports its own status', async () => {
    const { client } = await head({});
    assert.deepEqual((await client.endpointDiscovery()).endpoints, ['/only-0', '/search', '/only-1', '/only-2']);
    assert.equal((await client.status()).jina['runtime-name'], 'dep/head');
    assert.equal(await client.healthCheck(), 'SERVING');
    // streaming endpoints fan out through the head too
    assert.equal(await client.healthCheck('jina.JinaSingleDocumentRequestRPC'), 'SERVING');
  });

  it('serves the same calls on its native port, advertised in _status, with the shard trailers', async () => {
    const { server, client } = await head({ polling: 'ALL' });
    const overGrpc = new RuntimeClient(server.address, { name: 'dep/head', transport: 'grpc' });
    clients.push(overGrpc);
    assert.equal((await client.status()).jina['weft-native-address'], `127.0.0.1:${server.nativePort}`);
    const answer = async (c: RuntimeClient, md: Record<string, string>) => {
      let trailers: Record<string, unknown> = {};
      const res = await c.processSingleData(request('/search'), {
        metadata: md,
        onTrailers: (t) => (trailers = t.getMap()),
      });
      return {
        docs: [...res.docs].map((d) => ({ id: d.id, matches: d.matches.ids, servedBy: d.tags.servedBy })),
        results: res.parameters.__results__,
        trailers,
      };
    };
    const overNative = await answer(client, { 'x-trace': 'n' });
    assert.deepEqual(overNative, await answer(overGrpc, { 'x-trace': 'n' }));
    assert.deepEqual(overNative.trailers, { total_shards: '3', failed_shards: '0' });
    assert.equal(client.transport, 'native');
    assert.deepEqual(await client.endpointDiscovery(), await overGrpc.endpointDiscovery());

    const { client: plain } = await head({ nativePort: false });
    await plain.processSingleData(request('/search'));
    assert.equal(plain.transport, 'grpc', 'a head without a native port is reached over gRPC');
  });

  it('answers a malformed request with INVALID_ARGUMENT and refuses calls once stopping', async () => {
    const { server, client } = await head({});
    const raw = new Client(server.address, credentials.createInsecure());
    const code = await new Promise<number>((resolve) =>
      raw.makeUnaryRequest(
        '/jina.JinaSingleDataRequestRPC/process_single_data',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff]),
        (err) => resolve(err?.code ?? 0),
      ),
    );
    raw.close();
    assert.equal(code, status.INVALID_ARGUMENT);
    await server.stop({ graceMs: 1000 });
    await assert.rejects(client.processSingleData(request('/x')), { code: 'WEFT_UNAVAILABLE' });
  });
});
