// Wire compatibility: a client generated at run time from the repository's .proto files alone (proto-loader +
// grpc-js, no weft code) drives a worker process, as a Python or Go client generated from jina.proto would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Client,
  type ClientDuplexStream,
  credentials,
  loadPackageDefinition,
  type Metadata,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { EXECUTORS, startWorker, stopWorker } from './helpers.js';

const PROTO_DIR = fileURLToPath(new URL('../../../../../proto/', import.meta.url));
// note: proto-loader takes google.protobuf.Struct/Value from protobufjs's bundled copy, whose field names are
// camelCase (numberValue, structValue…) even with keepCase

// biome-ignore lint/suspicious/noExplicitAny: messages are the dynamic objects proto-loader produces
type Msg = any;
type Unary = (
  req: Msg,
  cb: (err: ServiceError | null, res: Msg) => void,
) => { on(e: 'status', f: (s: StatusObject) => void): void };
type Ctor<M> = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client & M;

const definition = loadSync('jina.proto', {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
});
const jina = (loadPackageDefinition(definition) as unknown as { jina: Record<string, Ctor<Record<string, unknown>>> })
  .jina;

function unary(client: Record<string, unknown>, method: string, req: Msg): Promise<{ res: Msg; trailers: Metadata }> {
  return new Promise((resolve, reject) => {
    let res: Msg;
    const call = (client[method] as Unary).call(client, req, (err, r) => {
      if (err) reject(err);
      else res = r;
    });
    call.on('status', (s) => {
      if (s.code === 0) resolve({ res, trailers: s.metadata });
    });
  });
}

function embeddingOf(values: number[]): Msg {
  return {
    dense: { buffer: Buffer.from(new Float32Array(values).buffer), shape: [values.length], dtype: '<f4' },
    cls_name: 'numpy',
  };
}

function requestMsg(id: string, endpoint: string): Msg {
  return {
    header: { request_id: id, exec_endpoint: endpoint },
    parameters: { fields: { limit: { numberValue: 3 }, router__mode: { stringValue: 'fast' } } },
    routes: [{ executor: 'gateway', start_time: { seconds: 1_700_000_000, nanos: 5 } }],
    data: {
      docs: {
        docs: [
          {
            id: 'a',
            text: 'hello',
            tags: { fields: { k: { stringValue: 'v' } } },
            embedding: embeddingOf([1, 2, 3]),
            chunks: [{ id: 'a-1', text: 'hel' }],
          },
          { id: 'b', blob: Buffer.from([1, 2, 3]), mime_type: 'application/octet-stream' },
        ],
      },
    },
  };
}

describe('wire compatibility with a client generated from proto/jina.proto', () => {
  let w: Awaited<ReturnType<typeof startWorker>>;
  let single: Client & Record<string, unknown>;
  let stream: Client & Record<string, unknown>;
  before(async () => {
    w = await startWorker({ uses: `${EXECUTORS}#Router`, name: 'router/rep-0', metas: { name: 'router' } });
    const creds = credentials.createInsecure();
    single = new (jina.JinaSingleDataRequestRPC as Ctor<Record<string, unknown>>)(w.address, creds);
    stream = new (jina.JinaRPC as Ctor<Record<string, unknown>>)(w.address, creds);
  });
  after(async () => {
    single?.close();
    stream?.close();
    if (w) assert.equal(await stopWorker(w), 0);
  });

  it('process_single_data: documents, parameters and routes survive the worker', async () => {
    const { res } = await unary(single, 'process_single_data', requestMsg('compat-1', '/echo'));
    assert.equal(res.header.request_id, 'compat-1');
    assert.equal(res.header.status, undefined);
    assert.deepEqual(
      res.routes.map((r: Msg) => r.executor),
      ['gateway', 'router'],
    );
    assert.ok(res.routes[1].end_time.seconds >= 1_700_000_000);
    assert.equal(res.parameters.fields.limit.numberValue, 3);
    const docs = res.data.docs.docs;
    assert.equal(res.data.documents, 'docs');
    assert.deepEqual(
      docs.map((d: Msg) => d.id),
      ['a', 'b'],
    );
    const [a, b] = docs;
    assert.equal(a.text, 'hello');
    assert.equal(a.tags.fields.k.stringValue, 'v');
    assert.equal(a.tags.fields.endpoint.stringValue, '/echo');
    assert.equal(a.chunks[0].id, 'a-1');
    assert.equal(a.embedding.dense.dtype, '<f4');
    assert.deepEqual(a.embedding.dense.shape, [3]);
    const emb = a.embedding.dense.buffer as Buffer;
    assert.deepEqual(
      Array.from(new Float32Array(emb.buffer.slice(emb.byteOffset, emb.byteOffset + emb.byteLength))),
      [1, 2, 3],
    );
    assert.deepEqual([...(b.blob as Buffer)], [1, 2, 3]);
    assert.equal(b.mime_type, 'application/octet-stream');
  });

  it('process_single_data: __results__ and executor-specific parameters come back as a Struct', async () => {
    const { res } = await unary(single, 'process_single_data', requestMsg('compat-2', '/results'));
    const mine = res.parameters.fields.__results__.structValue.fields['router/rep-0'].structValue.fields;
    assert.equal(mine.count.numberValue, 2);
    const seen = mine.parameters.structValue.fields;
    assert.equal(seen.mode.stringValue, 'fast');
    assert.equal(seen.limit.numberValue, 3);
  });

  it('an executor exception arrives as StatusProto ERROR with its ExceptionProto and is-error', async () => {
    const { res, trailers } = await unary(single, 'process_single_data', requestMsg('compat-3', '/fail'));
    assert.deepEqual(trailers.get('is-error'), ['true']);
    const st = res.header.status;
    assert.equal(st.code, 'ERROR');
    assert.equal(st.exception.name, 'TypeError');
    assert.deepEqual(st.exception.args, ['cannot process 2 documents']);
    assert.equal(st.exception.executor, 'router/rep-0');
    assert.ok(st.exception.stacks.length > 1);
  });

  it('Call: a stream of requests is answered one to one, documents decoded by the generated client', async () => {
    const call = (stream.Call as () => ClientDuplexStream<Msg, Msg>).call(stream);
    const answers: Msg[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (m: Msg) => answers.push(m));
      call.on('error', reject);
      call.on('end', resolve);
    });
    for (const [id, endpoint] of [
      ['s1', '/replace'],
      ['s2', '/echo'],
      ['s3', '/unknown'],
    ] as const) {
      call.write(requestMsg(id, endpoint));
    }
    call.end();
    await done;
    const byId = new Map(answers.map((m) => [m.header.request_id, m]));
    assert.deepEqual([...byId.keys()].sort(), ['s1', 's2', 's3']);
    assert.deepEqual(
      byId.get('s1').data.docs.docs.map((d: Msg) => [d.id, d.text]),
      [
        ['new-a', 'HELLO'],
        ['new-b', ''],
      ],
    );
    assert.equal(byId.get('s2').data.docs.docs[0].tags.fields.endpoint.stringValue, '/echo');
    assert.equal(byId.get('s3').data.docs.docs[0].tags.fields.endpoint.stringValue, 'default');
  });

  it('endpoint_discovery and _status decode with the generated messages', async () => {
    const discovery = new (jina.JinaDiscoverEndpointsRPC as Ctor<Record<string, unknown>>)(
      w.address,
      credentials.createInsecure(),
    );
    const info = new (jina.JinaInfoRPC as Ctor<Record<string, unknown>>)(w.address, credentials.createInsecure());
    try {
      const { res: endpoints } = await unary(discovery, 'endpoint_discovery', {});
      assert.ok(endpoints.endpoints.includes('/default'));
      assert.ok(endpoints.endpoints.includes('/echo'));
      const { res: status } = await unary(info, '_status', {});
      assert.equal(status.jina.node, process.versions.node);
      assert.ok('WEFT_WORKSPACE' in status.envs);
    } finally {
      discovery.close();
      info.close();
    }
  });
});
