import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlowOptions } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import { clientToken, resolveAuthTokens } from './auth-options.js';

describe('resolveAuthTokens', () => {
  it('is off without the option and without WEFT_AUTH_TOKEN', () => {
    assert.equal(resolveAuthTokens(undefined, {}), undefined);
  });

  it('gathers token, tokens, the tokenEnv variable and WEFT_AUTH_TOKEN, comma-separated, once each', () => {
    const env = { SHOP_TOKENS: 'env-a-12345, env-b-12345', WEFT_AUTH_TOKEN: 'weft-env-123,one-token-1' };
    assert.deepEqual(
      resolveAuthTokens({ token: 'one-token-1', tokens: ['two-token-2'], tokenEnv: 'SHOP_TOKENS' }, env),
      ['one-token-1', 'two-token-2', 'env-a-12345', 'env-b-12345', 'weft-env-123'],
    );
    assert.deepEqual(resolveAuthTokens(undefined, { WEFT_AUTH_TOKEN: 'weft-env-123' }), ['weft-env-123']);
  });

  it('fails closed: a tokenEnv that is unset, or an auth option without tokens, is an error', () => {
    assert.throws(
      () => resolveAuthTokens({ tokenEnv: 'NOPE' }, {}),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /NOPE, which is not set/);
        return true;
      },
    );
    assert.throws(() => resolveAuthTokens({}, {}), ConfigError);
  });

  it('takes the YAML spelling token_env through the one schema', () => {
    const flow = parseFlowOptions({ auth: { token_env: 'SHOP_TOKENS' } });
    assert.deepEqual(flow.auth, { tokenEnv: 'SHOP_TOKENS' });
    assert.throws(() => parseFlowOptions({ auth: { password: 'x' } }), ConfigError);
  });
});

describe('clientToken', () => {
  it('is the option, else WEFT_TOKEN, else none', () => {
    assert.equal(clientToken('opt', { WEFT_TOKEN: 'env' }), 'opt');
    assert.equal(clientToken(undefined, { WEFT_TOKEN: 'env' }), 'env');
    assert.equal(clientToken(undefined, { WEFT_TOKEN: '' }), undefined);
  });
});
