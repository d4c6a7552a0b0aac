// Gateway interceptors and events over in-process workers: what a protocol hands the chain, refusals, events.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../../src/client/index.js';
import { DocumentArray } from '../../../src/document/index.js';
import { BadRequestError } from '../../../src/errors/index.js';
import { Executor, requests } from '../../../src/executor/index.js';
import { CHANNELS, type GatewayRequestEnd } from '../../../src/observability/index.js';
import type { GatewayContext } from '../../../src/runtime/gateway/index.js';
import { Gateway, resolveProtocol } from '../../../src/runtime/gateway/index.js';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';

class Mark extends Executor {
  @requests({ on: '/mark' })
  mark({ docs }: { docs: DocumentArray }): void {
    for (const d of docs) d.tags = { marked: true };
  }
}

let worker: InProcessWorker;
let gateway: Gateway;
const seen: Pick<GatewayContext, 'protocol' | 'endpoint' | 'headers'>[] = [];

before(async () => {
  worker = await startWorkerInProcess({ uses: Mark, name: 'mark/rep-0', log: () => undefined });
  gateway = new Gateway({
    graph: { 'start-gateway': ['mark'], mark: ['end-gateway'] },
    addresses: { mark: [worker.address] },
    interceptors: [
      async (ctx, next) => {
        seen.push({ protocol: ctx.protocol, endpoint: ctx.endpoint, headers: ctx.headers });
        if (ctx.request.parameters.refuse) throw new BadRequestError('refused by an interceptor');
        await next();
      },
    ],
  });
});
after(async () => {
  await gateway?.close();
  await worker?.stop({ graceMs: 1000 });
});

describe('gateway interceptors', () => {
  it('see every request of gateway.post, and may refuse one', async () => {
    seen.length = 0;
    const docs = await gateway.post('/mark', new DocumentArray([{ text: 'a' }]), { headers: { 'x-user': 'ann' } });
    assert.equal(docs.at(0)?.tags.marked, true);
    assert.deepEqual(seen, [{ protocol: 'in-process', endpoint: '/mark', headers: { 'x-user': 'ann' } }]);
    await assert.rejects(gateway.post('/mark', new DocumentArray(), { parameters: { refuse: true } }), BadRequestError);
  });

  it('get the protocol and its metadata from the gRPC protocol, and the refusal reaches the client', async () => {
    const server = await resolveProtocol('grpc')(gateway, { host: '127.0.0.1', port: 0 });
    const port = await server.start();
    const client = new Client({ host: '127.0.0.1', port, protocol: 'grpc' });
    try {
      seen.length = 0;
      await client.post('/mark', new DocumentArray([{ text: 'a' }]));
      assert.equal(seen[0]?.protocol, 'grpc');
      assert.equal(typeof seen[0]?.headers['user-agent'], 'string');
      await assert.rejects(
        client.post('/mark', new DocumentArray([{ text: 'a' }]), { parameters: { refuse: true } }),
        /refused by an interceptor/,
      );
    } finally {
      await client.close();
      await server.stop(1000);
    }
  });
});

describe('gateway events', () => {
  it('publish start and end (the same object) and error', async () => {
    const events: [string, GatewayRequestEnd][] = [];
    const on = (name: string) => (m: unknown) => events.push([name, m as GatewayRequestEnd]);
    const listeners = [CHANNELS.gatewayRequestStart, CHANNELS.gatewayRequestEnd, CHANNELS.gatewayRequestError].map(
      (c) => [c, on(c)] as const,
    );
    for (const [c, l] of listeners) subscribe(c, l);
    try {
      await gateway.post('/mark', new DocumentArray([{ text: 'a' }]));
      await gateway.post('/mark', new DocumentArray(), { parameters: { refuse: true } }).catch(() => undefined);
    } finally {
      for (const [c, l] of listeners) unsubscribe(c, l);
    }
    assert.deepEqual(
      events.map(([n]) => n),
      [
        CHANNELS.gatewayRequestStart,
        CHANNELS.gatewayRequestEnd,
        CHANNELS.gatewayRequestStart,
        CHANNELS.gatewayRequestError,
      ],
    );
    assert.equal(events[0]?.[1], events[1]?.[1]);
    assert.equal(events[1]?.[1].response?.docs.at(0)?.tags.marked, true);
    assert.match(String((events[3]?.[1] as unknown as { error?: Error } | undefined)?.error), /refused/);
  });
});
