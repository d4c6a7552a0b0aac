/**
 * The gateway's limits on every protocol: each refusal arrives as its coded error (gRPC status + trailers, HTTP
 * status + body, WebSocket close frame, GraphQL error extensions), and the same gateway answers a normal request
 * right after. One Flow runs the `Holder` executor; each test starts a gateway in this process, with the limits it
 * checks, in front of that executor (the gateway is the real server with its real protocols).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Client,
  Document,
  DocumentArray,
  Flow,
  LimitExceededError,
  MessageTooLargeError,
  OverloadedError,
  TooManyRequestsError,
  UriRefusedError,
  WeftError,
} from '../../../src/index.js';
import type { GatewayLimitsInput } from '../../../src/limits/index.js';
import { GatewayServer, parseGatewayConfig } from '../../../src/runtime/gateway/index.js';
import { fileAppears } from '../../../src/testing/index.js';
import { Holder } from './fixtures/holder.js';

type Protocol = 'grpc' | 'http' | 'websocket';
const PROTOCOLS: readonly Protocol[] = ['grpc', 'http', 'websocket'];
const SCHEME: Record<Protocol, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };

let flow: Flow;
const open: { close(): unknown }[] = [];

before(async () => {
  flow = await new Flow().add({ name: 'holder', uses: Holder }).start();
});

after(async () => {
  for (const o of open.reverse()) await o.close();
  await flow?.close();
});

interface Started {
  ports: Record<Protocol, number>;
  client(protocol: Protocol): Client;
}

async function gatewayWith(limits: GatewayLimitsInput, maxMessageBytes?: number): Promise<Started> {
  const server = new GatewayServer(
    parseGatewayConfig({
      ...flow.gatewayConfig,
      name: 'limited',
      host: '127.0.0.1',
      protocols: PROTOCOLS.map((protocol) => ({ protocol, port: 0 })),
      protocolOptions: { exposeGraphqlEndpoint: true },
      limits,
      ...(maxMessageBytes !== undefined ? { maxMessageBytes } : {}),
    }),
  );
  const bound = await server.start();
  open.push({ close: () => server.stop(0) });
  const ports = Object.fromEntries(bound.map((b) => [b.protocol, b.port])) as Record<Protocol, number>;
  return {
    ports,
    client: (protocol) => {
      const c = new Client({ host: `${SCHEME[protocol]}://127.0.0.1:${ports[protocol]}`, showProgress: false });
      open.push(c);
      return c;
    },
  };
}

function docs(n: number): DocumentArray {
  return new DocumentArray(Array.from({ length: n }, (_, i) => new Document({ text: `d${i}` })));
}

/** The gateway still serves: a normal request on `protocol` is answered by the executor. */
async function stillServes(g: Started, protocol: Protocol): Promise<void> {
  const out = await g.client(protocol).post('/echo', docs(1));
  assert.equal(out.length, 1);
  assert.equal(out.at(0)?.tags.seen, true, `${protocol} answers after the refusal`);
}

function isCoded(code: string, limit?: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof WeftError, `a WeftError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (limit !== undefined && err.details.limit !== undefined) assert.equal(err.details.limit, limit);
    return true;
  };
}

async function graphql(port: number, query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function firstGraphqlError(body: Record<string, unknown>): { message: string; extensions: Record<string, unknown> } {
  const errors = body.errors as { message: string; extensions: Record<string, unknown> }[] | undefined;
  assert.ok(errors && errors.length > 0, `GraphQL errors expected, got ${JSON.stringify(body)}`);
  return errors[0] as { message: string; extensions: Record<string, unknown> };
}

describe('documents per request (maxDocs)', () => {
  it('refuses more documents than the limit on every protocol, then serves', async () => {
    const g = await gatewayWith({ maxDocs: 3 });
    for (const p of PROTOCOLS) {
      await assert.rejects(g.client(p).post('/echo', docs(4), { requestSize: 10 }), (err) => {
        assert.ok(err instanceof LimitExceededError, `${p}: ${String(err)}`);
        return isCoded('WEFT_LIMIT_EXCEEDED', 'maxDocs')(err);
      });
      await stillServes(g, p);
    }
    const many = Array.from({ length: 4 }, (_, i) => `{text: "g${i}"}`).join(', ');
    const refused = await graphql(g.ports.http, `mutation { docs(data: [${many}], execEndpoint: "/echo") { id } }`);
    assert.equal(firstGraphqlError(refused.body).extensions.code, 'WEFT_LIMIT_EXCEEDED');
    const ok = await graphql(g.ports.http, 'mutation { docs(data: [{text: "x"}], execEndpoint: "/echo") { text } }');
    assert.deepEqual(ok.body, { data: { docs: [{ text: 'x' }] } });
  });
});

describe('message bytes (maxMessageBytes)', () => {
  it('refuses an oversized message on every protocol with WEFT_TOO_LARGE, then serves', async () => {
    const g = await gatewayWith({}, 4096);
    const big = new DocumentArray([new Document({ text: 'x'.repeat(10_000) })]);
    for (const p of PROTOCOLS) {
      await assert.rejects(g.client(p).post('/echo', big), (err) => {
        assert.ok(err instanceof MessageTooLargeError, `${p}: ${String(err)}`);
        return true;
      });
      await stillServes(g, p);
    }
  });
});

describe('header bytes (maxHeaderBytes)', () => {
  it('refuses oversized headers / metadata on every protocol, then serves', async () => {
    const g = await gatewayWith({ maxHeaderBytes: 2048 });
    const headers = { 'x-padding': 'p'.repeat(4000) };
    for (const p of PROTOCOLS) {
      await assert.rejects(g.client(p).post('/echo', docs(1), { headers }), isCoded('WEFT_LIMIT_EXCEEDED'));
      await stillServes(g, p);
    }
    const res = await fetch(`http://127.0.0.1:${g.ports.http}/`, { headers });
    assert.equal(res.status, 431);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.code, 'WEFT_LIMIT_EXCEEDED');
    assert.match(String(body.detail), /limits\.maxHeaderBytes/);
  });
});

describe('requests in flight (maxConcurrent, maxConcurrentPerConnection)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-limits-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers WEFT_OVERLOADED (retryable, HTTP 503 + Retry-After) over the total, then serves', async () => {
    const g = await gatewayWith({ maxConcurrent: 1 });
    const sub = join(dir, 'total');
    mkdirSync(sub);
    const held = g.client('grpc').post('/hold', docs(1), { parameters: { dir: sub, tag: 'a' } });
    await fileAppears(join(sub, 'held-a'));
    for (const p of PROTOCOLS) {
      await assert.rejects(g.client(p).post('/echo', docs(1)), (err) => {
        assert.ok(err instanceof OverloadedError, `${p}: ${String(err)}`);
        assert.equal(err.retryable, true);
        return isCoded('WEFT_OVERLOADED', 'maxConcurrent')(err);
      });
    }
    const res = await fetch(`http://127.0.0.1:${g.ports.http}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ text: 'a' }], execEndpoint: '/echo' }),
    });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(((await res.json()) as { code: string }).code, 'WEFT_OVERLOADED');
    writeFileSync(join(sub, 'release'), '');
    assert.equal((await held).length, 1);
    for (const p of PROTOCOLS) await stillServes(g, p);
  });

  it('answers WEFT_TOO_MANY_REQUESTS over the per-connection limit (gRPC, WebSocket), then serves', async () => {
    const g = await gatewayWith({ maxConcurrentPerConnection: 1 });
    const tooMany = (p: Protocol) => (err: unknown) => {
      assert.ok(err instanceof TooManyRequestsError, `${p}: ${String(err)}`);
      assert.equal(err.retryable, true);
      return isCoded('WEFT_TOO_MANY_REQUESTS', 'maxConcurrentPerConnection')(err);
    };
    // gRPC: two calls on one connection (grpc-js shares it between the clients of a process)
    const sub = join(dir, 'conn-grpc');
    mkdirSync(sub);
    const held = g.client('grpc').post('/hold', docs(1), { parameters: { dir: sub, tag: 'a' } });
    await fileAppears(join(sub, 'held-a'));
    await assert.rejects(g.client('grpc').post('/echo', docs(1)), tooMany('grpc'));
    writeFileSync(join(sub, 'release'), '');
    assert.equal((await held).length, 1);
    await stillServes(g, 'grpc');
    // WebSocket: two requests on one socket; the first is answered, then the socket closes with 1013
    const ws = join(dir, 'conn-ws');
    mkdirSync(ws);
    const both = g.client('websocket').post('/hold', docs(2), { requestSize: 1, parameters: { dir: ws, tag: 'a' } });
    const refused = assert.rejects(both, tooMany('websocket'));
    await fileAppears(join(ws, 'held-a'));
    writeFileSync(join(ws, 'release'), '');
    await refused;
    await stillServes(g, 'websocket');
  });
});

describe('GraphQL query depth and size', () => {
  it('refuses a query nested deeper than graphqlMaxDepth, and one over graphqlMaxBytes, then serves', async () => {
    const g = await gatewayWith({ graphqlMaxDepth: 3, graphqlMaxBytes: 600 });
    const deep = await graphql(
      g.ports.http,
      'mutation { docs(data: [{text: "x"}], execEndpoint: "/echo") { id chunks { id chunks { id chunks { id } } } } }',
    );
    const e = firstGraphqlError(deep.body);
    assert.equal(e.extensions.code, 'WEFT_LIMIT_EXCEEDED', e.message);
    assert.equal(e.extensions.limit, 'graphqlMaxDepth');
    const big = await graphql(
      g.ports.http,
      `mutation { docs(data: [{text: "${'y'.repeat(700)}"}], execEndpoint: "/echo") { id } }`,
    );
    const b = firstGraphqlError(big.body);
    assert.equal(b.extensions.code, 'WEFT_LIMIT_EXCEEDED', b.message);
    assert.equal(b.extensions.limit, 'graphqlMaxBytes');
    const ok = await graphql(g.ports.http, 'mutation { docs(data: [{text: "x"}], execEndpoint: "/echo") { text } }');
    assert.deepEqual(ok.body, { data: { docs: [{ text: 'x' }] } });
  });
});

describe('document URIs in an executor', () => {
  it('refuses files outside its folders and loopback addresses with WEFT_URI_REFUSED, then serves', async () => {
    const g = await gatewayWith({});
    const c = g.client('grpc');
    for (const uri of ['file:///etc/passwd', `http://127.0.0.1:${g.ports.http}/status`, 'http://169.254.169.254/']) {
      await assert.rejects(c.post('/load', new DocumentArray([new Document({ uri })])), (err) => {
        assert.ok(err instanceof UriRefusedError, `${uri}: ${String(err)}`);
        return true;
      });
    }
    const inside = await c.post('/load', new DocumentArray([new Document({ uri: 'package.json' })]));
    assert.ok((inside.at(0)?.blob?.length ?? 0) > 0, 'a file under the working directory is read');
    await stillServes(g, 'grpc');
  });
});

describe('malformed input found by the fuzz scenario', () => {
  it('answers a GraphQL syntax error with a coded error (WEFT_BAD_REQUEST)', async () => {
    const g = await gatewayWith({});
    const bad = await graphql(g.ports.http, 'mutation { docs(data: [{text: "a"}] { id ');
    assert.equal(firstGraphqlError(bad.body).extensions.code, 'WEFT_BAD_REQUEST');
    const ok = await graphql(g.ports.http, 'mutation { docs(data: [{text: "x"}], execEndpoint: "/echo") { text } }');
    assert.deepEqual(ok.body, { data: { docs: [{ text: 'x' }] } });
  });

  it('serves an HTTP/1.1 request without Host like any other (Node alone would answer a bare 400)', async () => {
    const g = await gatewayWith({});
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(g.ports.http, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.end('POST /post HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab');
    });
    assert.match(answer, /^HTTP\/1\.1 415 /);
    assert.match(answer, /"code":"WEFT_BAD_REQUEST"/);
    await stillServes(g, 'http');
  });
});
