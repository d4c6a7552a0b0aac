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

  it('does not retry a deadline or a refused request on another replica', async () => {
    let calls = 0;
    const slow = await startFakeRuntime('slow', () => {
      calls++;
      return { hang: true };
    });
    const bad = await startFakeRuntime('bad', () => {
      calls++;
      return { error: { code: status.INVALID_ARGUMENT, details: 'no' } };
    });
    running.push(slow, bad);
    const p = pool([slow.address, bad.address]);
    await assert.rejects(p.send(request(), { timeoutMs: 50 }), { code: 'WEFT_TIMEOUT' });
    await assert.rejects(p.send(request()), /INVALID_ARGUMENT/);
    assert.equal(calls, 2);
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
