import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { echo, type FakeRuntime, startFakeRuntime } from '../../test/fixtures/fake-runtime.js';
import { DocumentArray } from '../document/index.js';
import { DataRequest } from '../request/index.js';
import { RoundRobin, registerStrategy } from './balancing/index.js';
import { ConnectionPool } from './connection-pool.js';

function request(): DataRequest {
  return new DataRequest({ header: { execEndpoint: '/x' }, docs: new DocumentArray([{ text: 'hi' }]) });
}

const servedBy = (res: DataRequest) => String(res.docs.at(0)?.tags.servedBy);

describe('ConnectionPool', () => {
  const running: FakeRuntime[] = [];
  const pools: ConnectionPool[] = [];
  const start = async (name: string, port?: number) => {
    const rt = await startFakeRuntime(name, echo(name), port === undefined ? {} : { port });
    running.push(rt);
    return rt;
  };
  const pool = (addresses: string[], extra: Partial<ConstructorParameters<typeof ConnectionPool>[0]> = {}) => {
    const p = new ConnectionPool({ name: 'enc', addresses, ...extra });
    pools.push(p);
    return p;
  };

  afterEach(async () => {
    for (const p of pools.splice(0)) p.close();
    for (const rt of running.splice(0)) await rt.stop();
  });

  it('round-robins over the replicas', async () => {
    const rts = await Promise.all(['a', 'b', 'c'].map((n) => start(n)));
    const p = pool(rts.map((r) => r.address));
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push(servedBy(await p.send(request())));
    assert.deepEqual(order, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('waits for a replica that is reconnecting when every other one refuses (a rolling restart)', async () => {
    const a = await start('a');
    // b drains: it answers, but refuses every call as a replica shutting down does
    const b = await startFakeRuntime('b', () => ({
      error: { code: status.UNAVAILABLE, details: 'shutting down and accepts no new requests' },
    }));
    running.push(b);
    const p = pool([a.address, b.address]);
    await a.stop();
    // while a is down its channel fails to connect again and again, so its reconnect back-off grows to its longest
    const until = Date.now() + 2500;
    while (Date.now() < until) await p.send(request()).catch(() => undefined);
    await start('a2', a.port); // restarted on the same address; its channel is still backing off
    assert.equal(servedBy(await p.send(request())), 'a2');
  });

  it('moves on to the next replica when one is down, and uses it again once it is back', async () => {
    const a = await start('a');
    const b = await start('b');
    const p = pool([a.address, b.address]);
    assert.equal(servedBy(await p.send(request())), 'a');
    await a.stop();
    for (let i = 0; i < 4; i++) assert.equal(servedBy(await p.send(request())), 'b');
    await start('a2', a.port); // restarted on the same address
    await (p.clients[0] as NonNullable<(typeof p.clients)[0]>).waitForReady(Date.now() + 10_000);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(servedBy(await p.send(request())));
    assert.deepEqual([...seen].sort(), ['a2', 'b']);
  });

  it('fails only when no replica can serve, naming every address tried', async () => {
    const a = await start('a');
    const b = await start('b');
    const p = pool([a.address, b.address]);
    await a.stop();
    await b.stop();
    await assert.rejects(p.send(request()), (err: Error & { code: string; details: Record<string, unknown> }) => {
      assert.equal(err.code, 'WEFT_UNAVAILABLE');
      assert.match(err.message, /no replica of 'enc' could serve process_single_data: 3 tries/);
      assert.ok(err.message.includes(a.address) && err.message.includes(b.address), err.message);
      assert.equal(err.details.tries, 3); // retries -1: max(3, replicas)
      return true;
    });
    await assert.rejects(p.send(request(), { retries: 0 }), /1 try over/);
    await assert.rejects(p.send(request(), { retries: 4 }), /5 tries over/);
  });

  it('moves a call on when a replica does not answer within the per-try timeout, and sets that replica aside', async () => {
    let hung = 0;
    let silent = true; // a replica behind a silent link: calls just wait
    const slow = await startFakeRuntime('slow', (reqs) => {
      if (!silent) return echo('slow')(reqs, undefined as never);
      hung++;
      return { hang: true };
    });
    const b = await start('b');
    running.push(slow);
    // set aside for a minute after one timeout: the next calls do not touch it
    const p = pool([slow.address, b.address], { timeoutMs: 500, setAside: { initialMs: 60_000, maxMs: 60_000 } });
    await Promise.all(p.clients.map((c) => c.connect())); // so that the first call reaches the replica in time
    for (let i = 0; i < 4; i++) assert.equal(servedBy(await p.send(request())), 'b');
    assert.equal(hung, 1);
    assert.deepEqual(
      p.replicas.map((r) => r.healthy),
      [false, true],
    );
    // set aside for 1 ms: one call at a time tries it again; once it answers it is back in rotation
    const q = pool([slow.address, b.address], { timeoutMs: 2_000, setAside: { initialMs: 1, maxMs: 1 } });
    await Promise.all(q.clients.map((c) => c.connect()));
    assert.equal(servedBy(await q.send(request())), 'b');
    silent = false;
    const seen = new Set<string>();
    for (let i = 0; i < 10 && seen.size < 2; i++) seen.add(servedBy(await q.send(request())));
    assert.deepEqual([...seen].sort(), ['b', 'slow']);
    assert.deepEqual(
      q.replicas.map((r) => r.healthy),
      [true, true],
    );
  });

  it('does not retry the timeout of the only replica, the call’s own deadline, or a refused request', async () => {
    const calls = { slow: 0, bad: 0 };
    const slow = await startFakeRuntime('slow', () => {
      calls.slow++;
      return { hang: true };
    });
    const bad = await startFakeRuntime('bad', () => {
      calls.bad++;
      return { error: { code: status.INVALID_ARGUMENT, details: 'no' } };
    });
    running.push(slow, bad);
    const one = pool([slow.address]);
    await assert.rejects(one.send(request(), { timeoutMs: 200 }), { code: 'WEFT_TIMEOUT' });
    assert.ok(calls.slow <= 1, `the only replica was tried ${calls.slow} times`);
    const p = pool([slow.address, bad.address]);
    await assert.rejects(p.send(request(), { deadline: Date.now() + 200 }), { code: 'WEFT_TIMEOUT' });
    assert.equal(calls.bad, 0);
    await assert.rejects(p.send(request()), /INVALID_ARGUMENT/);
    assert.equal(calls.bad, 1);
  });

  it('uses registered strategies and rejects unknown ones', async () => {
    const rts = await Promise.all(['a', 'b'].map((n) => start(n)));
    registerStrategy('always-last', () => ({ pick: (replicas) => replicas.length - 1 }));
    const p = pool(
      rts.map((r) => r.address),
      { strategy: 'always-last' },
    );
    for (let i = 0; i < 3; i++) assert.equal(servedBy(await p.send(request())), 'b');
    assert.throws(() => new ConnectionPool({ name: 'x', addresses: ['127.0.0.1:1'], strategy: 'nope' }), {
      code: 'WEFT_CONFIG',
      message: /unknown replica selection strategy 'nope'; known: .*round-robin/,
    });
  });

  it('discovers endpoints once', async () => {
    const a = await startFakeRuntime('a', echo('a'), { endpoints: ['/index', '/search'] });
    running.push(a);
    const p = pool([a.address]);
    assert.deepEqual((await p.endpointDiscovery()).endpoints, ['/index', '/search']);
    await a.stop();
    assert.deepEqual(await p.endpoints(), ['/index', '/search']); // answered from the first discovery
    const dead = pool([a.address]);
    await assert.rejects(dead.endpoints({ retries: 0 }), { code: 'WEFT_UNAVAILABLE' });
    const back = await start('a-again', a.port);
    await (dead.clients[0] as NonNullable<(typeof dead.clients)[0]>).waitForReady(Date.now() + 10_000);
    assert.deepEqual(await dead.endpoints(), ['/default']); // a failed discovery is asked again
    await back.stop();
  });
});

describe('RoundRobin', () => {
  it('skips unhealthy replicas while a healthy one exists', () => {
    const rr = new RoundRobin();
    const view = (healthy: boolean[]) =>
      healthy.map((h, index) => ({ index, address: `a${index}`, inFlight: 0, healthy: h }));
    assert.deepEqual(
      [0, 1, 2, 3].map(() => rr.pick(view([true, false, true]))),
      [0, 2, 0, 2],
    );
    assert.deepEqual(
      [0, 1, 2].map(() => rr.pick(view([false, false, false]))),
      [0, 1, 2],
    );
  });
});
