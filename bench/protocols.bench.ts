/**
 * Gateway protocols: one Flow (a no-op executor) serving grpc, http and websocket, and the same documents posted
 * through each protocol's Client: requests of 100 documents, each with a 512-d float32 embedding, the Client's
 * default pipelining per protocol (grpc: one bidi stream; websocket: one socket, bytes subprotocol; http: JSON
 * POSTs, 16 in flight). Rounds rotate the protocol order so drifts in machine load hit all alike.
 * Prints documents/s per protocol and `target protocols.ws_vs_grpc_docs_ratio` (websocket / grpc): both carry
 * the same protobuf bytes, so the WebSocket path should keep up with gRPC; a low ratio means it lost pipelining or
 * copies too much. (HTTP carries JSON and is expected to be slower; it has no target.)
 */
import { Client, Document, DocumentArray, Flow, NdArray } from '../packages/weft/src/index.js';
import { NoOp } from './fixtures/worker-executors.js';
import { percentile, round, table, target } from './lib.js';

const DIM = 512;
const REQUEST_SIZE = 100;
const DOCS_PER_POST = 2000;
const ROUNDS = 8;
const PROTOCOLS = ['grpc', 'http', 'websocket'] as const;
type Protocol = (typeof PROTOCOLS)[number];

function makeDocs(n: number): DocumentArray {
  const docs: Document[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(DIM);
    for (let k = 0; k < DIM; k++) v[k] = Math.sin(i * 31 + k);
    docs.push(new Document({ id: `doc-${i}`, embedding: new NdArray(v) }));
  }
  return new DocumentArray(docs);
}

const docs = makeDocs(DOCS_PER_POST);
const flow = await new Flow({ protocol: [...PROTOCOLS] }).add({ name: 'noop', uses: NoOp }).start();
const clients = new Map<Protocol, Client>();
try {
  for (const p of PROTOCOLS) {
    const url = flow.endpoints.find((e) => e.protocol === p)?.url as string;
    clients.set(p, new Client({ host: url, showProgress: false }));
  }

  // agreement: every protocol returns every document with its embedding intact
  for (const [p, c] of clients) {
    const got = await c.post('/', docs, { requestSize: REQUEST_SIZE, resultsInOrder: true });
    const last = got.at(DOCS_PER_POST - 1);
    const sent = docs.at(DOCS_PER_POST - 1) as Document;
    if (got.length !== DOCS_PER_POST || last?.id !== sent.id || !sameValues(last.embedding, sent.embedding)) {
      console.error(`${p} answered something unexpected; not benchmarking`);
      process.exit(1);
    }
  }

  const runs = new Map<Protocol, number[]>(PROTOCOLS.map((p) => [p, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = PROTOCOLS.map((_, i) => PROTOCOLS[(i + r) % PROTOCOLS.length] as Protocol);
    for (const p of order) {
      const c = clients.get(p) as Client;
      const t0 = performance.now();
      const got = await c.post('/', docs, { requestSize: REQUEST_SIZE });
      const ms = performance.now() - t0;
      if (got.length !== DOCS_PER_POST) throw new Error(`${p}: ${got.length} documents came back`);
      (runs.get(p) as number[]).push((DOCS_PER_POST * 1000) / ms);
    }
  }

  const median = (p: Protocol): number => percentile(runs.get(p) as number[], 50);
  const grpc = median('grpc');
  const payloadMb = (DOCS_PER_POST * DIM * 4) / 1e6;
  table(
    `protocols: ${DOCS_PER_POST} documents per post, ${REQUEST_SIZE} per request, ${DIM}-d float32 embeddings (${ROUNDS} rounds, median)`,
    PROTOCOLS.map((p) => ({
      protocol: p,
      'docs/s': Math.round(median(p)),
      'min docs/s': Math.round(Math.min(...(runs.get(p) as number[]))),
      'max docs/s': Math.round(Math.max(...(runs.get(p) as number[]))),
      'embedding MB/s': round((median(p) / DOCS_PER_POST) * payloadMb, 1),
      'vs grpc': round(median(p) / grpc, 2),
    })),
  );
  target('protocols', 'ws_vs_grpc_docs_ratio', median('websocket') / grpc, '>=', 0.5);
} finally {
  for (const c of clients.values()) await c.close();
  await flow.close();
}

function sameValues(a: NdArray | undefined, b: NdArray | undefined): boolean {
  if (!a || !b || a.size !== b.size) return false;
  for (let i = 0; i < a.size; i++) if (Math.abs(a.get(i) - b.get(i)) > 1e-6) return false;
  return true;
}
