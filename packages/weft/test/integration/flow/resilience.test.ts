// A Flow under failure: a replica killed mid-traffic (every request still succeeds, the replica is restarted on
// its address and serves again), an executor slower than its `timeoutSend` (DEADLINE_EXCEEDED / WEFT_TIMEOUT
// naming it), and a floating executor (not awaited by the response, yet finished before `close()` returns).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeadlineExceededError, Flow } from '../../../src/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { FloatingWriter, Holder, WhoAmI } from './fixtures/executors.js';
import { dataRequest, ProtoGatewayClient } from './fixtures/proto-client.js';
import { alive, killAll, processedBy, results } from './helpers.js';

async function request(flow: Flow, endpoint: string, parameters = {}): Promise<DataRequest> {
  const answers: DataRequest[] = [];
  for await (const res of flow.stream(endpoint, [{ id: 'doc' }], { parameters })) answers.push(res);
  assert.equal(answers.length, 1);
  return answers[0] as DataRequest;
}

/** The replica of `who` that served `res`, and its pid. */
function servedBy(res: DataRequest): { runtime: string; pid: number } {
  const entry = Object.entries(results(res)).find(([k]) => k.startsWith('who/'));
  assert.ok(entry, `no replica of who in ${JSON.stringify(results(res))}`);
  return { runtime: entry[0], pid: (entry[1] as { pid: number }).pid };
}

describe('Flow resilience', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-flow-'));
  const flow = new Flow()
    .add({ name: 'who', uses: WhoAmI, replicas: 2 })
    .add({ name: 'hold', uses: Holder, timeoutSend: 2000 })
    .add({ name: 'float', uses: FloatingWriter, needs: 'who', floating: true, workspace: dir });
  const pids: number[] = [];
  before(async () => {
    await flow.start();
    pids.push(...flow.pids());
  });
  after(async () => {
    await flow.close();
    killAll(pids);
  });

  it('runs the gateway, a head with two replicas, and one worker per other executor', () => {
    assert.equal(pids.length, 6);
    assert.deepEqual(alive(pids), pids);
  });

  it('keeps answering every request while a replica is killed, and uses the restarted replica again', async () => {
    const served = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const s = servedBy(await request(flow, '/'));
      served.set(s.runtime, s.pid);
    }
    assert.deepEqual([...served.keys()].sort(), ['who/rep-0', 'who/rep-1']);
    const victim = served.get('who/rep-0') as number;

    const inFlight = Array.from({ length: 16 }, () => request(flow, '/'));
    process.kill(victim, 'SIGKILL');
    for (const res of await Promise.all(inFlight)) assert.match(servedBy(res).runtime, /^who\/rep-[01]$/);

    // keep sending until the restarted replica serves again; every request meanwhile succeeds
    let back: { runtime: string; pid: number } | undefined;
    let meanwhile = 0;
    while (!back) {
      const s = servedBy(await request(flow, '/'));
      if (s.runtime === 'who/rep-0' && s.pid !== victim) back = s;
      else meanwhile++;
    }
    assert.ok(meanwhile > 0);
    assert.deepEqual(alive([victim]), []);
    assert.ok(flow.pids().includes(back.pid));
    pids.push(back.pid);
  });

  it('fails a request an executor does not answer within timeoutSend, naming the executor', async () => {
    await assert.rejects(request(flow, '/hold'), (err: DeadlineExceededError) => {
      assert.ok(err instanceof DeadlineExceededError, String(err));
      assert.equal(err.code, 'WEFT_TIMEOUT');
      assert.match(err.message, /'hold'/);
      assert.match(err.message, /2000 ms/);
      assert.doesNotMatch(
        err.message,
        /executor 'gateway'/,
        'the gateway relays, it is not the executor that timed out',
      );
      return true;
    });
    // a client generated from jina.proto sees gRPC DEADLINE_EXCEEDED from the gateway
    const proto = new ProtoGatewayClient(`127.0.0.1:${flow.port}`);
    try {
      await assert.rejects(proto.processSingleData(dataRequest('held', '/hold', [{ id: 'x' }])), (err: Error) => {
        assert.equal((err as Error & { code: number }).code, 4);
        assert.match(err.message, /'hold'/);
        return true;
      });
      // the gateway is fine: the next request is answered
      const res = await proto.processSingleData(dataRequest('after', '/', [{ id: 'x' }]));
      assert.equal(res.header.request_id, 'after');
    } finally {
      proto.close();
    }
    assert.deepEqual(processedBy(await request(flow, '/release')), ['who']);
  });

  it('does not wait for a floating executor, and close() waits for it to finish', async () => {
    const release = join(dir, 'release');
    const done = join(dir, 'done');
    const res = await request(flow, '/float', { release, done });
    // answered while the floating executor still waits for `release`
    assert.deepEqual(processedBy(res), ['who']);
    assert.equal(existsSync(done), false);
    const closing = flow.close();
    writeFileSync(release, '');
    await closing;
    assert.equal(existsSync(done), true, 'the floating request finished before close() returned');
    assert.equal(existsSync(join(dir, 'float', '0', 'closed')), true, 'the floating executor was closed');
    assert.deepEqual(alive(pids), []);
  });
});
