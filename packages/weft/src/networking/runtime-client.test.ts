import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { echo, type FakeRuntime, startFakeRuntime } from '../../test/fixtures/fake-runtime.js';
import { DocumentArray } from '../document/index.js';
import { statusFromError } from '../errors/index.js';
import { DataRequest } from '../request/index.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, encodeHealthCheckResponse } from './health-codec.js';
import { RuntimeClient } from './runtime-client.js';

function request(texts: string[], endpoint = '/x'): DataRequest {
  return new DataRequest({
    header: { execEndpoint: endpoint },
    docs: new DocumentArray(texts.map((text) => ({ text }))),
  });
}

/** A port nothing listens on: bind one, then stop it. */
async function deadAddress(): Promise<string> {
  const rt = await startFakeRuntime('gone', echo('gone'));
  await rt.stop();
  return rt.address;
}

describe('RuntimeClient', () => {
  let rt: FakeRuntime;
  let client: RuntimeClient;

  before(async () => {
    rt = await startFakeRuntime('exec/rep-0', (reqs, md) => {
      const req = reqs[0] as DataRequest;
      if (req.endpoint === '/fail') {
        req.header.status = statusFromError(new TypeError('bad input'), 'exec');
        return { response: req, trailers: { 'is-error': 'true' } };
      }
      if (req.endpoint === '/reject') {
        return {
          error: {
            code: status.INVALID_ARGUMENT,
            details: 'cannot decode',
            trailers: { 'weft-error-code': 'WEFT_BAD_REQUEST' },
          },
        };
      }
      if (req.endpoint === '/hang') return { hang: true };
      const merged = reqs.flatMap((r) => [...r.docs]);
      const out = new DataRequest({ header: req.header, parameters: { seen: String(md.get('x-trace')[0] ?? '') } });
      out.docs = new DocumentArray(merged.map((d) => ({ id: d.id, text: (d.text ?? '').toUpperCase() })));
      return { response: out };
    });
    client = new RuntimeClient(rt.address, { name: 'exec/rep-0' });
  });

  after(async () => {
    client.close();
    await rt.stop();
  });

  it('sends one request and decodes the answer, with metadata both ways', async () => {
    let trailers: Record<string, unknown> = {};
    const res = await client.processSingleData(request(['a', 'b']), {
      metadata: { 'x-trace': 't-1' },
      onTrailers: (md) => (trailers = md.getMap()),
    });
    assert.deepEqual(
      [...res.docs].map((d) => d.text),
      ['A', 'B'],
    );
    assert.equal(res.parameters.seen, 't-1');
    assert.equal(trailers['is-error'], undefined);
  });

  it('returns in-band executor errors instead of throwing', async () => {
    let trailers: Record<string, unknown> = {};
    const res = await client.processSingleData(request(['a'], '/fail'), {
      onTrailers: (md) => (trailers = md.getMap()),
    });
    assert.equal(res.isError, true);
    assert.equal(res.status?.exception?.name, 'TypeError');
    assert.equal(trailers['is-error'], 'true');
  });

  it('sends a list with process_data', async () => {
    const res = await client.processData([request(['a']), request(['b', 'c'])]);
    assert.deepEqual(
      [...res.docs].map((d) => d.text),
      ['A', 'B', 'C'],
    );
  });

  it('streams requests over Call', async () => {
    const stream = client.call();
    for (const t of ['p', 'q', 'r']) stream.send(request([t]));
    stream.end();
    const texts: string[] = [];
    for await (const res of stream) texts.push(res.docs.at(0)?.text ?? '');
    assert.deepEqual(texts.sort(), ['P', 'Q', 'R']);
  });

  it('says so when the caller cancels a Call stream', async () => {
    const stream = client.call();
    stream.send(request(['p'], '/hang'));
    const iterating = (async () => {
      for await (const _ of stream);
    })();
    stream.cancel();
    await assert.rejects(iterating, /the Call stream was cancelled by its caller/);
  });

  it('discovers endpoints, reads status and health', async () => {
    assert.deepEqual((await client.endpointDiscovery()).endpoints, ['/default']);
    assert.equal((await client.status()).jina['runtime-name'], 'exec/rep-0');
    assert.equal(await client.healthCheck(), 'SERVING');
    rt.health.setStatus('', 'NOT_SERVING');
    assert.equal(await client.healthCheck(), 'NOT_SERVING');
    rt.health.setStatus('', 'SERVING');
    await client.waitForReady(Date.now() + 5000);
    assert.equal(client.connectivity, 'READY');
  });

  it('turns a deadline into DeadlineExceededError naming the executor and the timeout', async () => {
    await assert.rejects(
      client.processSingleData(request(['a'], '/hang'), { timeoutMs: 50 }),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_TIMEOUT');
        assert.match(err.message, /executor 'exec\/rep-0' at 127\.0\.0\.1:\d+/);
        assert.match(err.message, /within 50 ms/);
        return true;
      },
    );
  });

  it('keeps the weft error code of other gRPC failures', async () => {
    await assert.rejects(
      client.processSingleData(request(['a'], '/reject')),
      (err: Error & { code: string; details: Record<string, unknown> }) => {
        assert.equal(err.code, 'WEFT_BAD_REQUEST');
        assert.equal(err.details.grpcCode, status.INVALID_ARGUMENT);
        assert.match(err.message, /INVALID_ARGUMENT \(3\): cannot decode/);
        return true;
      },
    );
  });

  it('turns an unreachable runtime into UnavailableError naming it, its address and what to check', async () => {
    const address = await deadAddress();
    const dead = new RuntimeClient(address, { name: 'ghost/rep-1' });
    try {
      await assert.rejects(dead.processSingleData(request(['a'])), (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_UNAVAILABLE');
        assert.ok(err.message.includes(`runtime 'ghost/rep-1' at ${address} is unavailable`), err.message);
        assert.match(err.message, /check that its process is running and listening/);
        return true;
      });
      await assert.rejects(dead.waitForReady(Date.now() + 200), { code: 'WEFT_UNAVAILABLE' });
      assert.equal(dead.connectivity, 'TRANSIENT_FAILURE');
    } finally {
      dead.close();
    }
    assert.equal(dead.connectivity, 'SHUTDOWN');
    await assert.rejects(dead.status(), /is closed/);
  });
});

describe('RuntimeClient when the runtime goes away mid-call', () => {
  it('reports the dropped call as UnavailableError, so a pool can retry it elsewhere', async () => {
    const rt = await startFakeRuntime('doomed', () => ({ hang: true }));
    const c = new RuntimeClient(rt.address, { name: 'doomed/rep-0' });
    try {
      const pending = c.processSingleData(request(['a']));
      await waitFor(() => rt.received.length === 1);
      await rt.stop();
      await assert.rejects(pending, (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_UNAVAILABLE');
        assert.match(err.message, /runtime 'doomed\/rep-0' at 127\.0\.0\.1:\d+ (dropped|is unavailable)/);
        return true;
      });
    } finally {
      c.close();
    }
  });
});

/** Resolve once `cond()` holds (checked on every turn of the event loop). */
async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('health codec', () => {
  it('round-trips the health messages', () => {
    assert.deepEqual([...encodeHealthCheckRequest({ service: '' })], []);
    assert.deepEqual([...encodeHealthCheckRequest({ service: 'a' })], [0x0a, 1, 0x61]);
    for (const s of ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const) {
      assert.equal(decodeHealthCheckResponse(encodeHealthCheckResponse(s)), s);
    }
  });
});
