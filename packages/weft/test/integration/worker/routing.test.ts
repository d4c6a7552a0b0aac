// A worker process serving one executor: endpoint routing, return semantics, executor-specific parameters,
// in-band errors, process_data, the Call stream, endpoint discovery and _status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { errorFromStatus } from '../../../src/errors/index.js';
import { DataRequest } from '../../../src/request/index.js';
import { EXECUTORS, ids, request, startWorker, stopWorker } from './helpers.js';

type Started = Awaited<ReturnType<typeof startWorker>>;

describe('worker process: requests', () => {
  let w: Started;
  before(async () => {
    w = await startWorker({
      uses: { module: EXECUTORS, exportName: 'Router' },
      name: 'router/rep-0',
      usesWith: { suffix: '!' },
      metas: { name: 'router' },
    });
  });
  after(async () => {
    if (w) assert.equal(await stopWorker(w), 0);
  });

  it('routes by header.exec_endpoint and falls back to /default', async () => {
    const echo = (await w.client.processSingle(request('/echo'))).value;
    assert.deepEqual(echo.docs.at(0)?.tags, { endpoint: '/echo', suffix: '!' });
    const unknown = (await w.client.processSingle(request('/not-bound'))).value;
    assert.deepEqual(unknown.docs.at(0)?.tags, { endpoint: 'default' });
    const none = (await w.client.processSingle(request(undefined))).value;
    assert.deepEqual(none.docs.at(0)?.tags, { endpoint: 'default' });
  });

  it('appends a route entry named after the deployment, with start and end times', async () => {
    const sent = request('/echo');
    sent.routes.push({ executor: 'gateway', startTime: { seconds: 1, nanos: 0 } });
    const { value } = await w.client.processSingle(sent);
    assert.deepEqual(
      value.routes.map((r) => r.executor),
      ['gateway', 'router'],
    );
    const route = value.routes[1];
    assert.ok(route?.startTime && route.endTime);
    assert.ok(
      route.endTime.seconds * 1e9 + route.endTime.nanos >= route.startTime.seconds * 1e9 + route.startTime.nanos,
    );
    assert.equal(value.header.requestId, sent.header.requestId);
  });

  it('applies the three return kinds: DocumentArray replaces, nothing keeps, an object goes to __results__', async () => {
    const replaced = (await w.client.processSingle(request('/replace', [{ id: 'a', text: 'abc' }]))).value;
    assert.deepEqual(replaced.docs.toJSON(), [{ id: 'new-a', text: 'ABC' }]);

    const kept = (await w.client.processSingle(request('/echo', [{ id: 'a', text: 'abc' }]))).value;
    assert.equal(kept.docs.at(0)?.id, 'a');
    assert.equal(kept.docs.at(0)?.text, 'abc');

    const sent = request('/results', [{ id: 'a' }, { id: 'b' }], {
      keep: 1,
      __results__: { upstream: { done: true } },
    });
    const results = (await w.client.processSingle(sent)).value;
    assert.deepEqual(ids(results), ['a', 'b']);
    assert.deepEqual(results.parameters, {
      keep: 1,
      __results__: {
        upstream: { done: true },
        'router/rep-0': { count: 2, parameters: { keep: 1, __results__: { upstream: { done: true } } } },
      },
    });
  });

  it('delivers executor-specific parameters to this executor only', async () => {
    const sent = request('/results', [{ id: 'a' }], {
      limit: 1,
      router__limit: 5,
      other__limit: 9,
      router: { extra: 'x' },
    });
    const { value } = await w.client.processSingle(sent);
    const mine = (value.parameters.__results__ as Record<string, { parameters: unknown }>)['router/rep-0'];
    assert.deepEqual(mine?.parameters, { limit: 5, extra: 'x' });
  });

  it('passes gRPC metadata to the endpoint as headers', async () => {
    const md = new Metadata();
    md.set('x-tenant', 'acme');
    const { value } = await w.client.processSingle(request('/headers'), md);
    const mine = (value.parameters.__results__ as Record<string, { headers: Record<string, string> }>)['router/rep-0'];
    assert.equal(mine?.headers['x-tenant'], 'acme');
  });

  it('reports executor exceptions in-band with is-error, and keeps serving', async () => {
    const sent = request('/fail', [{ id: 'a' }, { id: 'b' }]);
    const { value, trailers } = await w.client.processSingle(sent);
    assert.deepEqual(trailers.get('is-error'), ['true']);
    const status = value.header.status;
    assert.equal(status?.code, 1);
    assert.equal(status?.exception?.name, 'TypeError');
    assert.deepEqual(status?.exception?.args, ['cannot process 2 documents']);
    assert.equal(status?.exception?.executor, 'router/rep-0');
    assert.match(status?.exception?.stacks.join('') ?? '', /TypeError: cannot process 2 documents\n\s+at .*fail/);
    assert.deepEqual(ids(value), ['a', 'b']);
    assert.equal(value.routes.at(-1)?.status?.exception?.name, 'TypeError');
    const rebuilt = errorFromStatus(status ?? { code: 0, description: '' });
    assert.equal(rebuilt.name, 'TypeError');

    const wrongReturn = await w.client.processSingle(request('/bad-return'));
    assert.equal(wrongReturn.value.header.status?.exception?.name, 'ExecutorReturnError');
    assert.match(wrongReturn.value.header.status?.description ?? '', /WEFT_EXECUTOR_RETURN/);

    const next = await w.client.processSingle(request('/echo'));
    assert.equal(next.value.header.status, undefined);
    assert.deepEqual(next.trailers.get('is-error'), []);
  });

  it('answers a dry run without calling the executor', async () => {
    const { value } = await w.client.processSingle(request('_jina_dry_run_', [{ id: 'a' }]));
    assert.equal(value.routes.length, 0);
    assert.deepEqual(value.docs.at(0)?.tags, {});
  });

  it('process_data gives the executor docs_matrix, docs_map and the reduced docs', async () => {
    const left = request('/matrix', [{ id: 'a' }, { id: 'b' }]);
    left.routes.push({ executor: 'left' });
    const right = request('/matrix', [{ id: 'b' }, { id: 'c' }]);
    right.routes.push({ executor: 'right' });
    const { value } = await w.client.processData([left, right]);
    const r = (value.parameters.__results__ as Record<string, unknown>)['router/rep-0'];
    assert.deepEqual(r, {
      docs: ['a', 'b', 'c'],
      matrix: [
        ['a', 'b'],
        ['b', 'c'],
      ],
      map: { left: ['a', 'b'], right: ['b', 'c'] },
    });
    assert.deepEqual(ids(value), ['a', 'b', 'c']);
    assert.equal(value.header.requestId, left.header.requestId);
    assert.deepEqual(
      value.routes.map((x) => x.executor),
      ['left', 'right', 'router'],
    );
  });

  it('Call answers every request of a stream, errors in-band, and ends with is-error when one failed', async () => {
    const reqs = [
      request('/echo', [{ id: 'e' }]),
      request('/fail', [{ id: 'f' }]),
      request('/replace', [{ id: 'r', text: 'x' }]),
    ];
    const { responses, trailers } = await w.client.call(reqs);
    assert.equal(responses.length, 3);
    const byId = new Map(responses.map((r) => [r.header.requestId, r]));
    assert.deepEqual(byId.get(reqs[0]?.header.requestId ?? '')?.docs.at(0)?.tags, { endpoint: '/echo', suffix: '!' });
    assert.equal(byId.get(reqs[1]?.header.requestId ?? '')?.header.status?.exception?.name, 'TypeError');
    assert.deepEqual(ids(byId.get(reqs[2]?.header.requestId ?? '') as DataRequest), ['new-r']);
    assert.deepEqual(trailers.get('is-error'), ['true']);

    const clean = await w.client.call([request('/echo'), request('/echo')]);
    assert.equal(clean.responses.length, 2);
    assert.deepEqual(clean.trailers.get('is-error'), []);
  });

  it('endpoint_discovery lists the bound endpoints including /default', async () => {
    const { endpoints } = await w.client.endpoints();
    for (const e of ['/echo', '/default', '/replace', '/results', '/fail', '/slow'])
      assert.ok(endpoints.includes(e), e);
  });

  it('_status reports versions and WEFT_/JINA_ environment', async () => {
    const info = await w.client.status();
    assert.match(info.jina.weft ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(info.jina.node, process.versions.node);
    assert.equal(info.jina.platform, process.platform);
    assert.ok(!Number.isNaN(Date.parse(info.jina.uptime ?? '')));
    assert.equal(info.jina['runtime-name'], 'router/rep-0');
    assert.equal(info.envs.JINA_LOG_LEVEL, process.env.JINA_LOG_LEVEL ?? '(unset)');
    assert.equal(info.envs.WEFT_TEST, process.env.WEFT_TEST ?? '(unset)');
    assert.equal(info.envs.WEFT_WORKER_CONFIG, undefined);
  });
});

describe('worker process: endpoints it does not serve', () => {
  let w: Started;
  before(async () => {
    w = await startWorker({ uses: `${EXECUTORS}#OnlyOne`, name: 'only' });
  });
  after(async () => {
    if (w) await stopWorker(w);
  });

  it('passes the request through with its document bytes untouched and no route entry', async () => {
    const docs = request('/x', [{ id: 'a', text: 'keep me' }]).docs.toBytes();
    // an unknown field a re-encode would drop: only forwarding the received bytes keeps it
    const withUnknown = new Uint8Array([...docs, 0x78, 0x2a]);
    const sent = new DataRequest({ header: { requestId: 'pt', execEndpoint: '/elsewhere' } });
    sent.setRawDocs(withUnknown);
    const { value } = await w.client.processSingle(sent);
    assert.deepEqual(Buffer.from(value.rawDocs ?? []), Buffer.from(withUnknown));
    assert.equal(value.routes.length, 0);

    const served = (await w.client.processSingle(request('/only', [{ id: 'a' }]))).value;
    assert.equal(served.docs.at(0)?.text, 'seen');
    assert.deepEqual(await w.client.endpoints(), { endpoints: ['/only'], writeEndpoints: [] });
  });
});
