import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { Document, DocumentArray } from '../document/index.js';
import { type ExecutorError, errorFromStatus, statusFromError } from '../errors/index.js';
import {
  DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  decodeEndpoints,
  decodeJinaInfo,
  decodeSingleDocumentRequest,
  decodeStatus,
  encodeDataRequest,
  encodeDataRequestList,
  encodeDataRequestParts,
  encodeEndpoints,
  encodeJinaInfo,
  encodeSingleDocumentRequest,
  encodeStatus,
  nowTimestamp,
} from './index.js';

const protoDir = fileURLToPath(new URL('../../../../proto/', import.meta.url));

async function loadJinaProto(): Promise<protobuf.Root> {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${protoDir}${target}`);
  await root.load('jina.proto', { keepCase: true });
  return root;
}

function sampleRequest(): DataRequest {
  const status = statusFromError(new TypeError('bad input'), 'encoder');
  return new DataRequest({
    header: { requestId: 'r1', execEndpoint: '/search', targetExecutor: 'enc.*', timeout: 1700000000, status },
    parameters: { limit: 3, nested: { a: [1, 'x', null, true] } },
    routes: [
      { executor: 'gateway', startTime: { seconds: 1700000000, nanos: 123456789 }, endTime: nowTimestamp() },
      { executor: 'encoder', startTime: nowTimestamp(), status },
    ],
    docs: new DocumentArray([{ id: 'd1', text: 'hello', embedding: new Float32Array([1, 2]) }, { id: 'd2' }]),
  });
}

describe('DataRequestProto codec', () => {
  it('round trips header, parameters, routes and documents byte-identically', () => {
    const bytes = encodeDataRequest(sampleRequest());
    const back = decodeDataRequest(bytes);
    assert.equal(back.header.requestId, 'r1');
    assert.equal(back.header.execEndpoint, '/search');
    assert.equal(back.header.targetExecutor, 'enc.*');
    assert.equal(back.header.timeout, 1700000000);
    assert.equal(back.header.status?.exception?.name, 'TypeError');
    assert.deepEqual(back.parameters, { limit: 3, nested: { a: [1, 'x', null, true] } });
    assert.equal(back.routes.length, 2);
    assert.deepEqual(back.routes[0]?.startTime, { seconds: 1700000000, nanos: 123456789 });
    assert.equal(back.docsDecoded, false);
    assert.deepEqual(Buffer.from(encodeDataRequest(back)), Buffer.from(bytes));
    assert.deepEqual(back.docs.ids, ['d1', 'd2']);
    assert.deepEqual(Buffer.from(encodeDataRequest(back)), Buffer.from(bytes));
  });

  it('forwards undecoded documents without re-encoding them', () => {
    const back = decodeDataRequest(encodeDataRequest(sampleRequest()));
    back.routes.push({ executor: 'next' });
    const again = decodeDataRequest(encodeDataRequest(back));
    assert.equal(again.routes.at(-1)?.executor, 'next');
    assert.equal(again.docs.at(0)?.text, 'hello');
  });

  it('forwards large undecoded documents as a piece of their own: the bytes that arrived, uncopied', () => {
    const big = new DataRequest({
      header: { requestId: 'r2', execEndpoint: '/index' },
      docs: new DocumentArray(
        Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, embedding: new Float32Array(512).fill(i) })),
      ),
    });
    const bytes = encodeDataRequest(big);
    const back = decodeDataRequest(bytes);
    back.addRoute('gateway');
    const pieces = encodeDataRequestParts(back);
    assert.equal(pieces.length, 2);
    assert.equal(pieces[1]?.buffer, bytes.buffer, 'the documents are a view of the received bytes');
    assert.deepEqual(Buffer.concat(pieces), Buffer.from(encodeDataRequest(back)));
    const again = decodeDataRequest(Buffer.concat(pieces));
    assert.deepEqual(
      again.routes.map((r) => r.executor),
      ['gateway'],
    );
    assert.deepEqual(again.docs.at(9)?.embedding?.data, new Float32Array(512).fill(9));
    // decoded (or small) documents are encoded whole
    assert.equal(encodeDataRequestParts(sampleRequest()).length, 1);
    void back.docs.length;
    assert.equal(encodeDataRequestParts(back).length, 1);
  });

  it('agrees with protobufjs loaded from proto/jina.proto, both ways', async () => {
    const root = await loadJinaProto();
    const Msg = root.lookupType('jina.DataRequestProto');
    const decoded = Msg.toObject(Msg.decode(encodeDataRequest(sampleRequest())), { defaults: false, longs: Number });
    assert.equal(decoded.header.request_id, 'r1');
    assert.equal(decoded.header.exec_endpoint, '/search');
    assert.equal(decoded.header.status.exception.name, 'TypeError');
    assert.equal(decoded.routes[1].executor, 'encoder');
    assert.equal(decoded.data.docs.docs[0].text, 'hello');
    assert.equal(decoded.parameters.fields.limit.numberValue, 3);
    const theirs = Msg.encode(
      Msg.fromObject({
        header: { request_id: 'x', exec_endpoint: '/index' },
        parameters: { fields: { k: { stringValue: 'v' } } },
        routes: [{ executor: 'gateway', start_time: { seconds: 5, nanos: 6 } }],
        data: { docs: { docs: [{ id: 'a', text: 'from protobufjs', tags: { fields: { n: { numberValue: 1 } } } }] } },
      }),
    ).finish();
    const ours = decodeDataRequest(theirs);
    assert.equal(ours.header.execEndpoint, '/index');
    assert.deepEqual(ours.parameters, { k: 'v' });
    assert.deepEqual(ours.routes[0]?.startTime, { seconds: 5, nanos: 6 });
    assert.equal(ours.docs.at(0)?.text, 'from protobufjs');
    assert.deepEqual(ours.docs.at(0)?.tags, { n: 1 });
  });

  it('lists of requests, endpoints, info, status and single-document requests round trip', async () => {
    const list = decodeDataRequestList(encodeDataRequestList([sampleRequest(), new DataRequest()]));
    assert.equal(list.length, 2);
    assert.equal(list[0]?.docs.length, 2);
    assert.equal(list[1]?.docs.length, 0);
    const e = decodeEndpoints(
      encodeEndpoints({ endpoints: ['/a', '/default'], writeEndpoints: [], schemas: { x: 1 } }),
    );
    assert.deepEqual(e, { endpoints: ['/a', '/default'], writeEndpoints: [], schemas: { x: 1 } });
    const info = decodeJinaInfo(encodeJinaInfo({ jina: { weft: '0.1.0' }, envs: { A: 'b' } }));
    assert.deepEqual(info, { jina: { weft: '0.1.0' }, envs: { A: 'b' } });
    const st = decodeStatus(encodeStatus({ code: 1, description: 'down' }));
    assert.deepEqual(st, { code: 1, description: 'down' });
    const single = decodeSingleDocumentRequest(
      encodeSingleDocumentRequest({
        header: { requestId: 's' },
        parameters: { p: 1 },
        routes: [],
        document: new Document({ id: 'd', text: 't' }),
      }),
    );
    assert.equal(single.document?.text, 't');
    assert.deepEqual(single.parameters, { p: 1 });
    const root = await loadJinaProto();
    const Info = root.lookupType('jina.JinaInfoProto');
    assert.deepEqual(Info.toObject(Info.decode(encodeJinaInfo({ jina: { a: 'b' }, envs: {} }))).jina, { a: 'b' });
  });

  it('rejects malformed bytes with WEFT_DECODE naming the message', () => {
    const bytes = encodeDataRequest(sampleRequest());
    assert.throws(
      () => decodeDataRequest(bytes.subarray(0, bytes.length - 3)),
      (e: Error & { code: string }) => {
        return e.code === 'WEFT_DECODE' && /DataRequestProto/.test(e.message);
      },
    );
    assert.throws(() => decodeDataRequest(new Uint8Array([0x0f, 0x01])), { code: 'WEFT_DECODE' });
  });

  it('reports docs_bytes it cannot read as WEFT_BAD_REQUEST but forwards them intact', () => {
    const root = new DataRequest();
    root.setRawDocs(undefined, new Uint8Array([1, 2, 3]));
    const back = decodeDataRequest(encodeDataRequest(root));
    assert.deepEqual(Array.from(back.opaqueDocs ?? []), [1, 2, 3]);
    assert.throws(() => back.docs, { code: 'WEFT_BAD_REQUEST' });
  });
});

describe('status conversion', () => {
  it('an exception becomes a status and back into an ExecutorError with remote details', () => {
    const s = statusFromError(new RangeError('too far'), 'ranker');
    assert.equal(s.code, 1);
    assert.equal(s.exception?.name, 'RangeError');
    assert.deepEqual(s.exception?.args, ['too far']);
    assert.equal(s.exception?.executor, 'ranker');
    assert.ok((s.exception?.stacks.length ?? 0) > 1);
    const e = errorFromStatus(s) as ExecutorError;
    assert.equal(e.code, 'WEFT_EXECUTOR');
    assert.equal(e.name, 'RangeError');
    assert.equal(e.executor, 'ranker');
    assert.match(e.message, /too far/);
    assert.match(e.remoteStack, /RangeError: too far/);
    assert.deepEqual(statusFromError(e, 'other').exception?.executor, 'ranker');
  });
});
