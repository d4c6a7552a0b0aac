import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, UnauthenticatedError } from '../errors/index.js';
import { bearerToken, TokenAuth } from './token-auth.js';

describe('TokenAuth', () => {
  const auth = new TokenAuth(['first-token-1', 'second-token-2', 'first-token-1']);

  it('accepts every given token, once each', () => {
    assert.equal(auth.size, 2);
    assert.equal(auth.accepts('first-token-1'), true);
    assert.equal(auth.accepts('second-token-2'), true);
  });

  it('refuses near misses: a prefix, an extension, one character off, a different case', () => {
    for (const t of ['first-token-', 'first-token-12', 'first-token-2', 'FIRST-TOKEN-1', '']) {
      assert.equal(auth.accepts(t), false, t);
    }
  });

  it('checks the bearer token of a header, saying whether it was missing or wrong but never the token', () => {
    auth.check({ authorization: 'Bearer second-token-2' });
    auth.check({ Authorization: ['bearer   first-token-1'] });
    assert.throws(
      () => auth.check({}),
      (e: unknown) => {
        assert.ok(e instanceof UnauthenticatedError);
        assert.equal(e.httpStatus, 401);
        assert.equal(e.grpcStatus, 16);
        assert.match(e.message, /wants a token/);
        return true;
      },
    );
    assert.throws(
      () => auth.check({ authorization: 'Bearer first-token-9' }),
      (e: unknown) => e instanceof UnauthenticatedError && !e.message.includes('first-token'),
    );
    assert.throws(() => auth.check({ authorization: 'Basic Zm9vOmJhcg==' }), /wants a token/);
  });

  it('refuses to be built without tokens, or with a short one, naming it only by position', () => {
    assert.throws(() => new TokenAuth([]), ConfigError);
    assert.throws(
      () => new TokenAuth(['long-enough-1', 'short']),
      (e: unknown) => e instanceof ConfigError && /#2/.test(e.message) && !e.message.includes('short'),
    );
    assert.throws(() => new TokenAuth(['with space inside']), ConfigError);
    assert.throws(() => new TokenAuth(['with,comma-inside']), ConfigError);
  });
});

describe('bearerToken', () => {
  it('reads Authorization: Bearer in any case, and nothing else', () => {
    assert.equal(bearerToken({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(bearerToken({ AUTHORIZATION: 'BEARER abc' }), 'abc');
    assert.equal(bearerToken({ authorization: Buffer.from('Bearer abc') }), 'abc');
    assert.equal(bearerToken({ authorization: 'Bearer' }), undefined);
    assert.equal(bearerToken({ authorization: 'Bearer a b' }), undefined);
    assert.equal(bearerToken({ 'x-token': 'abc' }), undefined);
  });
});
