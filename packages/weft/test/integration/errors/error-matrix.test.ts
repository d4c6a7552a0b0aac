/**
 * The error matrix: every weft error code, raised in an executor (alone, and sharded behind a head) and in the
 * gateway, reaches the `Client` over grpc, http and websocket as the same class, with the same code and
 * `retryable`; an executor's own exception (not a weft error) arrives as an `ExecutorError` with its class name,
 * own code and executor in fields.
 *
 * One Flow serves all three protocols in front of `plain` (one worker) and `sharded` (two shards behind a head);
 * a second gateway, in this process, routes to the same executors and raises the error a request's
 * `gatewayThrows` parameter names before routing it (the gateway-side failure path of each protocol: gRPC status
 * and trailers, HTTP error body, WebSocket close frame).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_CLASSES, ERROR_CODES, type ErrorCode, errorOfCode } from '../../../src/errors/index.js';
import { Client, ExecutorError, Flow, WeftError } from '../../../src/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { GatewayServer, parseGatewayConfig } from '../../../src/runtime/gateway/index.js';
import { messageFor, OWN, OWN_CODE, Thrower } from './fixtures/thrower.js';

type Protocol = 'grpc' | 'http' | 'websocket';
const PROTOCOLS: readonly Protocol[] = ['grpc', 'http', 'websocket'];
const SCHEME: Record<Protocol, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

let flow: Flow;
let gateway: GatewayServer;
const clients: Client[] = [];

function client(port: number, protocol: Protocol): Client {
  const c = new Client({ host: `${SCHEME[protocol]}://127.0.0.1:${port}`, showProgress: false });
  clients.push(c);
  return c;
}

before(async () => {
  flow = await new Flow({ protocol: [...PROTOCOLS] })
    .add({ name: 'plain', uses: Thrower })
    .add({ name: 'sharded', uses: Thrower, shards: 2 })
    .start();
  gateway = new GatewayServer(
    parseGatewayConfig({
      ...flow.gatewayConfig,
      name: 'matrix-gateway',
      host: '127.0.0.1',
      protocols: PROTOCOLS.map((protocol) => ({ protocol, port: 0 })),
    }),
  );
  // the gateway-side failure: raised by the gateway core itself, before any executor is asked
  const core = gateway.gateway;
  const route = core.process.bind(core);
  core.process = async (req: DataRequest): Promise<DataRequest> => {
    const code = req.parameters.gatewayThrows;
    if (typeof code !== 'string') return route(req);
    const message = messageFor(code, 'the gateway');
    if (code === OWN) throw Object.assign(new RangeError(message), { code: OWN_CODE });
    throw errorOfCode(code as ErrorCode, message);
  };
  await gateway.start();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await gateway?.stop(0);
  await flow?.close();
});

interface Origin {
  name: string;
  where: string;
  /** The client that reaches it over `protocol`. */
  client(protocol: Protocol): Client;
  parameters(code: string): Record<string, string>;
  targetExecutor?: string;
}

const ORIGINS: Origin[] = [
  {
    name: 'an executor',
    where: 'the executor',
    client: (p) => client(portOf(flow, p), p),
    parameters: (code) => ({ code }),
    targetExecutor: 'plain',
  },
  {
    name: 'an executor behind a head (sharded)',
    where: 'the executor',
    client: (p) => client(portOf(flow, p), p),
    parameters: (code) => ({ code }),
    targetExecutor: 'sharded',
  },
  {
    name: 'the gateway',
    where: 'the gateway',
    client: (p) => client(gateway.bound.find((b) => b.protocol === p)?.port as number, p),
    parameters: (code) => ({ gatewayThrows: code }),
  },
];

function portOf(f: Flow, protocol: Protocol): number {
  const e = f.endpoints.find((x) => x.protocol === protocol);
  assert.ok(e, `the Flow serves ${protocol}`);
  return e.port;
}

/** What went wrong with the error `code` raised at `origin` (empty when it arrived as raised). */
async function check(c: Client, origin: Origin, code: string): Promise<string[]> {
  let err: unknown;
  try {
    await c.post('/throw', [{ text: 'x' }], {
      parameters: origin.parameters(code),
      ...(origin.targetExecutor ? { targetExecutor: origin.targetExecutor } : {}),
      maxAttempts: 1,
    });
  } catch (e) {
    err = e;
  }
  const problems: string[] = [];
  const got = err instanceof WeftError ? `${err.constructor.name} ${err.code} (${err.message})` : String(err);
  const expect = (ok: boolean, what: string): void => {
    if (!ok) problems.push(`${code}: ${what}; got ${got}`);
  };
  if (!(err instanceof WeftError)) return [`${code}: no WeftError; got ${got}`];
  expect(err.message.includes(messageFor(code, origin.where)), 'the message as raised');
  if (code === OWN && origin.where === 'the executor') {
    expect(err instanceof ExecutorError, 'an ExecutorError');
    const x = err as ExecutorError;
    expect(x.code === 'WEFT_EXECUTOR', 'code WEFT_EXECUTOR');
    expect(x.name === 'RangeError' && x.remoteName === 'RangeError', 'remoteName RangeError');
    expect(x.remoteCode === OWN_CODE, `remoteCode ${OWN_CODE}`);
    expect(x.executor.startsWith(origin.targetExecutor as string), `executor ${origin.targetExecutor}`);
    expect(x.retryable === false, 'not retryable');
    return problems;
  }
  if (code === OWN) {
    // an exception of the gateway's own that is not a weft error: unclassified, its class name kept in details
    expect(err.constructor === WeftError && err.code === 'WEFT_ERROR', 'a WeftError WEFT_ERROR');
    expect(err.details.remoteName === 'RangeError', 'details.remoteName RangeError');
    return problems;
  }
  const cls = ERROR_CLASSES[code as ErrorCode];
  expect(err.constructor === cls, `class ${(cls as unknown as { name: string }).name}`);
  expect(err instanceof (cls as unknown as typeof WeftError), `instanceof ${(cls as { name?: string }).name}`);
  expect(err.code === code, `code ${code}`);
  expect(err.retryable === ERROR_CODES[code as ErrorCode].retryable, 'the same retryable');
  if (origin.where === 'the executor') {
    const executor = err instanceof ExecutorError ? err.executor : String(err.details.executor ?? '');
    expect(executor.startsWith(origin.targetExecutor as string), `raised by ${origin.targetExecutor}`);
  }
  return problems;
}

for (const origin of ORIGINS) {
  describe(`an error raised in ${origin.name}`, () => {
    for (const protocol of PROTOCOLS) {
      it(`reaches the Client over ${protocol} as the same class, code and retryable`, async () => {
        const c = origin.client(protocol);
        const problems: string[] = [];
        for (const code of [...CODES, OWN]) problems.push(...(await check(c, origin, code)));
        assert.deepEqual(problems, []);
      });
    }
  });
}
