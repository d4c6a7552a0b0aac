// HttpProtocol.stop with a keep-alive connection that was busy when stop began: the request is answered, the
// socket is closed after its answer, and stop resolves then, not when the grace period runs out (it used to:
// an answer at 561 ms, stop(8000) resolved at 8,120 ms).
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { type DocumentArray, Executor, requests } from '../../../src/index.js';
import { type InProcessGateway, startInProcessGateway } from '../../fixtures/in-process-gateway.js';

let entered: () => void = () => undefined;
let release: () => void = () => undefined;

class Gate extends Executor {
  @requests({ on: '/slow' })
  async slow({ docs }: { docs: DocumentArray }): Promise<DocumentArray> {
    entered();
    await new Promise<void>((r) => {
      release = r;
    });
    return docs;
  }
}

/** POST `body` on `agent`'s keep-alive connection; resolves with the status, the body and the socket used. */
function post(port: number, agent: Agent, path: string, body: unknown) {
  return new Promise<{ status: number; text: string; socket: Socket }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, socket: req.socket as Socket }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('HTTP protocol stop', () => {
  let gw: InProcessGateway | undefined;
  after(() => gw?.stop());

  it('closes a keep-alive connection busy at stop once it is answered, and returns then', async () => {
    gw = await startInProcessGateway({ protocol: 'http', executors: { gate: Gate } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // a first answered request: the connection is kept alive
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const answered = post(gw.port, agent, '/slow', { data: [{ text: 'a' }] });
    await inside;
    const grace = 60_000;
    // stop begins while the request is in flight on the keep-alive connection
    const server = gw.server;
    const stopped = server.stop(grace);
    release();
    // the answer under way when stop began arrives whole
    const first = await answered;
    assert.equal(first.status, 200);
    assert.equal((JSON.parse(first.text) as { data: { text: string }[] }).data[0]?.text, 'a');
    const socketClosed = first.socket.destroyed
      ? Promise.resolve()
      : new Promise<void>((r) => first.socket.once('close', () => r()));
    // the old behaviour held the socket (and stop) for the whole grace period: bound the wait well below it
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timed out'>((r) => {
      timer = setTimeout(() => r('timed out'), 8_000);
    });
    const outcome = await Promise.race([Promise.all([stopped, socketClosed]).then(() => 'done' as const), bound]);
    clearTimeout(timer);
    agent.destroy();
    assert.equal(outcome, 'done', 'stop() kept waiting for the idle keep-alive connection');
  });
});
