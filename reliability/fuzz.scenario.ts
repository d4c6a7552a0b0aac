/**
 * Fuzzing: random and mutated inputs to every parser weft exposes, with fast-check and a fixed seed (printed;
 * `FUZZ_SEED=<n>` replays a run): gRPC `DataRequestProto` bytes and raw HTTP/2 bytes to the gateway's gRPC port,
 * native transport frames to an executor's native port, HTTP JSON bodies and raw header lines, WebSocket messages
 * (json and bytes), GraphQL queries, filters to a VectorIndexer, and in this process Flow and executor YAML (the
 * config decoder) and image bytes to the ImageEncoder's decoder. Every answer must be served or a coded refusal.
 * Figures: inputs tried, crashes (a runtime that stopped serving; goal 0), answers without a coded error (goal 0),
 * and whether the Flow still serves afterwards. Full: 600 inputs per network target, 2000 per local one; short:
 * 120 and 400.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, DocumentArray, Flow } from '@weft-ai/weft';
import fc from 'fast-check';
import sharp from 'sharp';
import { documentPixels } from '../packages/executor-image-encoder/src/image/index.js';
import { parseExecutorYaml, parseFlowYaml, parseYaml } from '../packages/weft/src/config/index.js';
import { compileFilter } from '../packages/weft/src/document/index.js';
import { PREFACE } from '../packages/weft/src/networking/native/index.js';
import { DataRequest, decodeJinaInfo, encodeDataRequest } from '../packages/weft/src/request/index.js';
import { WhoAmI } from './fixtures/executors.js';
import { bytesLike, draw, jsonTextLike, textLike } from './fuzz/inputs.js';
import {
  graphqlOutcome,
  grpcCaller,
  httpOutcome,
  local,
  type Outcome,
  preview,
  rawHttp,
  rawSend,
  type Target,
  wsSend,
} from './fuzz/targets.js';
import { figure, goal, report, SHORT } from './lib.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
const NET = SHORT ? 120 : 600;
const LOCAL = SHORT ? 400 : 2000;
console.log(`  seed ${SEED}; replay: FUZZ_SEED=${SEED} npm run reliability -- fuzz${SHORT ? ' --short' : ''}`);

let uncaught = 0;
process.on('uncaughtException', (err) => {
  uncaught++;
  console.error(`  uncaught exception in the scenario process: ${err.stack ?? err}`);
  if (uncaught > 10) process.exit(1);
});

const workspace = mkdtempSync(join(tmpdir(), 'weft-fuzz-'));
const flow = new Flow({ protocol: ['grpc', 'http', 'websocket'], exposeGraphqlEndpoint: true, workspace })
  .add({ name: 'who', uses: WhoAmI })
  .add({ name: 'indexer', uses: 'VectorIndexer', usesWith: { dim: 2 } });
await flow.start();
const port = (p: string): number => flow.endpoints.find((e) => e.protocol === p)?.port as number;
const [grpcPort, httpPort, wsPort] = [port('grpc'), port('http'), port('websocket')];
await flow.post('/index', [
  { id: 'a', embedding: [1, 0], tags: { colour: 'red', n: 1 } },
  { id: 'b', embedding: [0, 1], tags: { colour: 'blue', n: 2 } },
]);

// valid encodings the mutations start from
const sample = new DataRequest({
  header: { execEndpoint: '/search' },
  parameters: { limit: 2, filter: { tags__colour: { $eq: 'red' } } },
  docs: new DocumentArray([new Document({ id: 'q', text: 'red', embedding: [1, 0], tags: { k: [1, 'x', null] } })]),
});
const requestBytes = [encodeDataRequest(sample), encodeDataRequest(new DataRequest({ header: { execEndpoint: '/' } }))];
const bodies = [
  { data: [{ text: 'a', tags: { x: 1 } }], execEndpoint: '/', parameters: { p: 1 } },
  { data: [{ id: 'q', embedding: [1, 0] }], execEndpoint: '/search', parameters: { filter: { tags__n: { $gt: 1 } } } },
];
const filters = [
  { tags__colour: { $eq: 'red' } },
  { $and: [{ tags__n: { $gte: 1 } }, { tags__colour: { $in: ['red', 'blue'] } }] },
];
const queries = [
  'mutation { docs(data: [{text: "a"}], execEndpoint: "/") { id text tags chunks { id } } }',
  'query { docs(data: [{id: "q", embedding: [1, 0]}], execEndpoint: "/search") { id matches { id scores { name value } } } }',
];
const flowYaml = `jtype: Flow\nwith:\n  protocol: [grpc, http]\n  port: [0, 0]\n  prefetch: 10\n  limits: {max_docs: 5}\nexecutors:\n  - name: enc\n    uses: ImageEncoder\n    replicas: 2\n    when: {tags__x: {$eq: 1}}\n`;
const execYaml = `jtype: WhoAmI\nwith:\n  dim: 4\nmetas:\n  name: who\nrequests:\n  /foo: who\n`;
const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#c04020' } })
  .png()
  .toBuffer();
const jpeg = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#20c040' } })
  .jpeg()
  .toBuffer();

// the worker's native port, as it advertises it in _status
const who = (flow.gatewayConfig.addresses as Record<string, string[]>).who?.[0] as string;
const nativeAddress = await statusOf(who.replace(/^grpc:\/\//, ''));
const nativePort = Number(nativeAddress?.split(':').at(-1));
if (!Number.isInteger(nativePort)) throw new Error(`the worker advertises no native port (${nativeAddress})`);

function frame(kind: number, id: number, message: Uint8Array): Uint8Array {
  const b = Buffer.alloc(9 + 6 + message.length);
  b.writeUInt32BE(5 + 6 + message.length, 0);
  b.writeUInt8(kind, 4);
  b.writeUInt32BE(id, 5);
  b.writeUInt32BE(5000, 9);
  b.writeUInt16BE(0, 13);
  Buffer.from(message).copy(b, 15);
  return new Uint8Array(b);
}
const frames = [
  new Uint8Array(Buffer.concat([PREFACE, Buffer.from(frame(1, 1, requestBytes[0] as Uint8Array))])),
  new Uint8Array(
    Buffer.concat([
      PREFACE,
      Buffer.from(frame(4, 2, new Uint8Array(0))),
      Buffer.from(frame(0x10, 3, new Uint8Array(0))),
    ]),
  ),
];

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const httpRequests = [
  `POST /post HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${JSON.stringify(bodies[0]).length}\r\nConnection: close\r\n\r\n${JSON.stringify(bodies[0])}`,
  'GET /status HTTP/1.1\r\nHost: x\r\nX-A: b\r\nConnection: close\r\n\r\n',
];

const grpcCall = grpcCaller(`127.0.0.1:${grpcPort}`, '/jina.JinaSingleDataRequestRPC/process_single_data');
const postJson = (path: string, body: string, headers: Record<string, string> = {}): Promise<Outcome> =>
  fetch(`http://127.0.0.1:${httpPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  }).then(httpOutcome, () => 'uncoded' as const);

let s = SEED;
// biome-ignore lint/suspicious/noExplicitAny: each target has its own input type
const targets: Target<any>[] = [
  { name: 'grpc DataRequestProto', inputs: draw(bytesLike(requestBytes), NET, s++), run: grpcCall },
  {
    name: 'raw HTTP/2 frames (gRPC port)',
    inputs: draw(
      bytesLike([H2_PREFACE, Buffer.concat([H2_PREFACE, Buffer.from('000000040000000000', 'hex')])]),
      NET,
      s++,
    ),
    run: (b: Uint8Array) => rawSend(grpcPort, b),
  },
  {
    name: 'native transport frames',
    inputs: draw(bytesLike(frames), NET, s++),
    run: (b: Uint8Array) => rawSend(nativePort, b),
  },
  { name: 'HTTP JSON bodies', inputs: draw(jsonTextLike(bodies), NET, s++), run: (t: string) => postJson('/post', t) },
  {
    name: 'HTTP request and header lines',
    inputs: draw(bytesLike(httpRequests.map((r) => new Uint8Array(Buffer.from(r)))), NET, s++),
    run: (b: Uint8Array) => rawHttp(httpPort, b),
  },
  {
    name: 'WebSocket json messages',
    inputs: draw(jsonTextLike(bodies), NET, s++),
    run: (t: string) => wsSend(`ws://127.0.0.1:${wsPort}/`, 'json', t),
  },
  {
    name: 'WebSocket bytes messages',
    inputs: draw(bytesLike(requestBytes), NET, s++),
    run: (b: Uint8Array) => wsSend(`ws://127.0.0.1:${wsPort}/`, 'bytes', b),
  },
  {
    name: 'GraphQL queries',
    inputs: draw(textLike(queries), NET, s++),
    run: (q: string) =>
      fetch(`http://127.0.0.1:${httpPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: q }),
      }).then(graphqlOutcome, () => 'uncoded' as const),
  },
  {
    name: 'VectorIndexer filters',
    inputs: draw(jsonTextLike(filters), NET, s++),
    run: (f: string) => postJson('/search', `{"data":[{"embedding":[1,0]}],"parameters":{"limit":2,"filter":${f}}}`),
  },
  {
    name: 'Flow YAML',
    inputs: draw(textLike([flowYaml]), LOCAL, s++),
    run: (t: string) => local(() => parseFlowYaml(parseYaml(t, 'fuzz.yml'))),
  },
  {
    name: 'executor YAML',
    inputs: draw(textLike([execYaml]), LOCAL, s++),
    run: (t: string) => local(() => parseExecutorYaml(parseYaml(t, 'fuzz.yml'))),
  },
  {
    name: 'filters (compile and match)',
    inputs: draw(fc.oneof(fc.jsonValue({ maxDepth: 4 }), jsonTextLike(filters).map(safeJson)), LOCAL, s++),
    run: (f: unknown) =>
      local(() => compileFilter(f as never)(new Document({ id: 'a', text: 'red', tags: { colour: 'red', n: 1 } }))),
  },
  {
    name: 'image bytes (ImageEncoder decoder)',
    inputs: draw(
      bytesLike(
        [png, jpeg].map((b) => new Uint8Array(b)),
        256,
      ),
      SHORT ? 150 : 600,
      s++,
    ),
    run: (b: Uint8Array) =>
      local(() =>
        documentPixels(new Document({ blob: b }), {
          size: 16,
          fit: 'contain',
          background: { r: 255, g: 255, b: 255 },
          trim: false,
          uriTimeoutMs: 1000,
          maxImageBytes: 1 << 20,
        }),
      ),
  },
];

let tried = 0;
let uncoded = 0;
let crashes = 0;
for (const t of targets) {
  const counts: Record<Outcome, number> = { ok: 0, coded: 0, uncoded: 0, closed: 0 };
  const examples: string[] = [];
  const started = Date.now();
  for (const input of t.inputs) {
    const o = await t.run(input);
    // let I/O run between inputs (local parsers are synchronous; keepalive pings must still be answered)
    await new Promise((r) => setImmediate(r));
    counts[o]++;
    if (o === 'uncoded' && examples.length < 3) examples.push((t.show ?? preview)(input));
  }
  tried += t.inputs.length;
  uncoded += counts.uncoded;
  const serving = await stillServing();
  if (!serving) crashes++;
  console.log(
    `  ${t.name}: ${t.inputs.length} inputs, ${counts.ok} served, ${counts.coded} coded refusals, ${counts.closed} closed, ${counts.uncoded} uncoded; ${serving ? 'still serving' : 'NOT SERVING'} (${Date.now() - started} ms)`,
  );
  for (const e of examples) console.log(`    uncoded: ${e}`);
}
const servingAfter = await stillServing();
await flow.close();
rmSync(workspace, { recursive: true, force: true });
report('fuzz', [
  figure('seed', SEED),
  figure('inputs tried', tried),
  goal('crashes', crashes + uncaught, '=', 0),
  goal('answers without a coded error', uncoded, '=', 0),
  goal('Flow still serving afterwards (1 = yes)', servingAfter ? 1 : 0, '=', 1),
]);

async function stillServing(): Promise<boolean> {
  try {
    const out = await flow.post('/', [{ id: 'probe' }], { timeout: 10_000 });
    return out.length === 1;
  } catch (err) {
    console.error(`  the Flow does not answer: ${(err as Error).message}`);
    return false;
  }
}

function safeJson(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

async function statusOf(address: string): Promise<string | undefined> {
  const { credentials, makeGenericClientConstructor } = await import('@grpc/grpc-js');
  const id = (b: Buffer): Buffer => b;
  const Ctor = makeGenericClientConstructor(
    {
      s: {
        path: '/jina.JinaInfoRPC/_status',
        requestStream: false,
        responseStream: false,
        requestSerialize: id,
        requestDeserialize: id,
        responseSerialize: id,
        responseDeserialize: id,
      },
    },
    'S',
  );
  const c = new Ctor(address, credentials.createInsecure()) as unknown as {
    s(req: Buffer, cb: (err: Error | null, res?: Buffer) => void): void;
    close(): void;
  };
  const bytes = await new Promise<Buffer | undefined>((r) =>
    c.s(Buffer.alloc(0), (err, res) => r(err ? undefined : res)),
  );
  c.close();
  return bytes ? decodeJinaInfo(bytes).jina['weft-native-address'] : undefined;
}
