import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isSecretName, jinaInfo, MASKED, runtimeEnvs, weftVersion } from './jina-info.js';
import { PACKAGE_ROOT, protoDir } from './proto-files.js';

describe('jinaInfo', () => {
  it("reports the package's own version, read from its package.json", () => {
    const { version } = JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string };
    assert.equal(weftVersion(), version);
    const info = jinaInfo('enc/rep-0', { 'weft-native-address': '127.0.0.1:1' });
    assert.equal(info.jina.weft, version);
    assert.equal(info.jina['runtime-name'], 'enc/rep-0');
    assert.equal(info.jina.runtime, 'enc/rep-0');
    assert.equal(info.jina['weft-native-address'], '127.0.0.1:1');
    assert.ok(!Number.isNaN(Date.parse(info.jina.uptime ?? '')));
  });

  it('lists WEFT_/JINA_ variables, (unset) for known absent ones, and leaves runtime configuration out', () => {
    const envs = runtimeEnvs({
      WEFT_X: '1',
      WEFT_WORKER_CONFIG: '{}',
      WEFT_HEAD_CONFIG: '{}',
      WEFT_GATEWAY_CONFIG: '{}',
      PATH: '/bin',
    });
    assert.equal(envs.WEFT_X, '1');
    assert.equal(envs.WEFT_WORKSPACE, '(unset)');
    for (const hidden of ['WEFT_WORKER_CONFIG', 'WEFT_HEAD_CONFIG', 'WEFT_GATEWAY_CONFIG', 'PATH']) {
      assert.equal(envs[hidden], undefined, hidden);
    }
  });

  it('masks every variable whose name looks like a secret, in any case', () => {
    const secrets = [
      // the variables of token auth (security/auth-options.ts): the gateway's and the Client's
      'WEFT_AUTH_TOKEN',
      'WEFT_TOKEN',
      'WEFT_API_TOKEN',
      'JINA_AUTH_TOKEN',
      'WEFT_SECRET',
      'WEFT_SIGNING_KEY',
      'WEFT_APIKEY',
      'JINA_DB_PASSWORD',
      'WEFT_DB_PASSWD',
      'WEFT_CREDENTIALS',
      'WEFT_AUTHORIZATION',
      'weft_lower_token',
      'Jina_Mixed_Secret',
    ];
    const env: NodeJS.ProcessEnv = { WEFT_PLAIN: 'visible' };
    for (const name of secrets) env[name] = 's3cr3t';
    const envs = runtimeEnvs(env);
    assert.equal(envs.WEFT_PLAIN, 'visible');
    for (const name of secrets) {
      assert.ok(isSecretName(name), name);
      if (/^(WEFT|JINA)_/.test(name)) assert.equal(envs[name], MASKED, name);
    }
    assert.ok(!JSON.stringify(envs).includes('s3cr3t'));
    assert.equal(isSecretName('WEFT_WORKSPACE'), false);
  });

  it('finds the proto directory', () => {
    assert.match(protoDir(), /proto$/);
  });
});
