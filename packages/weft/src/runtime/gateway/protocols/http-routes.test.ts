import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHttpProtocolOptions } from '../../../config/index.js';
import { ConfigError } from '../../../errors/index.js';
import { DEFAULT_HTTP_BODY_LIMIT, parseHttpOptions } from './http-options.js';
import { planDataRoutes } from './http-routes.js';

const base = { host: '127.0.0.1', port: 0 };
const table = (endpoints: string[], options: Record<string, unknown> = {}) =>
  planDataRoutes(endpoints, parseHttpOptions({ ...base, ...options })).map(
    (r) => `${r.methods.join('|')} ${r.path} -> ${r.endpoint ?? '(body)'}`,
  );

describe('planDataRoutes', () => {
  it('plans /post, the CRUD shortcuts and one POST route per discovered endpoint', () => {
    assert.deepEqual(table(['/encode', '/index', '/update', '_jina_dry_run_']), [
      'POST /post -> (body)',
      'POST /index -> /index',
      'POST /search -> /search',
      'PUT /update -> /update',
      'DELETE /delete -> /delete',
      'POST /encode -> /encode',
    ]);
  });

  it('drops the debug and CRUD routes on request (endpoints keep POST)', () => {
    assert.deepEqual(table(['/index', '/update'], { noDebugEndpoints: true, noCrudEndpoints: true }), [
      'POST /index -> /index',
      'POST /update -> /update',
    ]);
  });

  it('lets exposeEndpoints re-map an endpoint, a CRUD one included', () => {
    const routes = table(['/encode', '/index'], {
      exposeEndpoints: {
        '/encode': { methods: ['get', 'POST'] },
        '/index': { httpPath: '/add' },
        '/not-discovered': { http_path: '/x/y' },
      },
    });
    assert.deepEqual(routes, [
      'POST /post -> (body)',
      'GET|POST /encode -> /encode',
      'POST /add -> /index',
      'POST /x/y -> /not-discovered',
      'POST /search -> /search',
      'PUT /update -> /update',
      'DELETE /delete -> /delete',
    ]);
  });

  it('leaves an endpoint that would take a gateway route to /post', () => {
    assert.deepEqual(table(['/post', '/status']), [
      'POST /post -> (body)',
      'POST /index -> /index',
      'POST /search -> /search',
      'PUT /update -> /update',
      'DELETE /delete -> /delete',
      'POST /status -> /status',
    ]);
    assert.ok(table(['/post'], { noDebugEndpoints: true }).includes('POST /post -> /post'));
    assert.ok(!table(['/graphql'], { exposeGraphqlEndpoint: true }).some((r) => r.includes('/graphql')));
  });

  it('refuses an exposeEndpoints entry that takes a gateway route', () => {
    assert.throws(
      () => table([], { exposeEndpoints: { '/encode': { httpPath: '/dry_run', methods: ['GET'] } } }),
      (err: Error) => err instanceof ConfigError && /'\/encode' would take GET \/dry_run/.test(err.message),
    );
    assert.throws(
      () => table([], { exposeEndpoints: { '/a': { httpPath: '/same' }, '/b': { httpPath: '/same' } } }),
      /'\/b' would take POST \/same/,
    );
  });
});

describe('parseHttpOptions', () => {
  it('fills Jina’s defaults', () => {
    const o = parseHttpOptions(base);
    assert.equal(o.cors, false);
    assert.equal(o.noDebugEndpoints, false);
    assert.equal(o.noCrudEndpoints, false);
    assert.equal(o.exposeGraphqlEndpoint, false);
    assert.equal(o.bodyLimit, DEFAULT_HTTP_BODY_LIMIT);
    assert.equal(o.exposeEndpoints.size, 0);
  });

  it('takes the body limit from maxMessageBytes (-1: as large as a JSON text can be)', () => {
    assert.equal(parseHttpOptions({ ...base, maxMessageBytes: 1000 }).bodyLimit, 1000);
    assert.ok(parseHttpOptions({ ...base, maxMessageBytes: -1 }).bodyLimit > DEFAULT_HTTP_BODY_LIMIT);
  });

  it('ignores options of other protocols', () => {
    assert.doesNotThrow(() => parseHttpOptions({ ...base, someWebSocketOption: 1 }));
  });

  it('is validated with the option schema, which names the key at fault', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cors: 'yes' }, /cors/],
      [{ exposeEndpoints: { '/a': { methods: ['FETCH'] } } }, /exposeEndpoints\.\/a\.methods\.0/],
      [{ exposeEndpoints: { '/a': { summery: 'typo' } } }, /summery/],
      [{ exposeEndpoints: { foo: {} } }, /exposeEndpoints/],
      [{ exposeEndpoints: '{not json' }, /exposeEndpoints is not valid JSON/],
    ];
    for (const [options, re] of cases) {
      assert.throws(
        () => parseHttpProtocolOptions({ ...base, ...options }),
        (err: Error) => err instanceof ConfigError && re.test(err.message),
        JSON.stringify(options),
      );
    }
  });
});
