import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors/index.js';
import { registerInterceptor } from '../interceptors/index.js';
import { loadFunctionExport, loadInterceptors } from './user-modules.js';

const fixtures = fileURLToPath(new URL('../../test/integration/http/fixtures/extending/', import.meta.url));

describe('interceptors named in configuration', () => {
  it('loads functions, registered names and module specifiers, in order', async () => {
    const own = async (_c: unknown, next: () => Promise<void>) => next();
    const builtin = async (_c: unknown, next: () => Promise<void>) => next();
    registerInterceptor('weft:test-builtin', builtin);
    const [a, b, c] = await loadInterceptors([own, 'weft:test-builtin', './extensions.ts#requireToken'], fixtures);
    assert.equal(a, own);
    assert.equal(b, builtin);
    assert.equal(typeof c, 'function');
    assert.equal((c as { name: string }).name, 'requireToken');
  });

  it('names the spec when the file, the export or the name is not there', async () => {
    await assert.rejects(loadInterceptors(['./nowhere.ts#x'], fixtures), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /interceptor '\.\/nowhere\.ts#x': .*nowhere\.ts does not exist/);
      return true;
    });
    await assert.rejects(loadInterceptors(['./extensions.ts#nope'], fixtures), /has no function export 'nope'/);
    await assert.rejects(
      loadFunctionExport('./extensions.ts', fixtures, 'HTTP plugin'),
      /HTTP plugin .*name the export/,
    );
    await assert.rejects(
      loadInterceptors(['weft:not-registered'], fixtures),
      /unknown interceptor 'weft:not-registered'/,
    );
  });
});
