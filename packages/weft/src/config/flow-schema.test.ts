import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExecutorOptions, parseFlowOptions, parseFlowYaml } from './flow-schema.js';
import { parseYaml } from './yaml-file.js';

describe('flow option schema', () => {
  it('accepts camelCase options from code', () => {
    const o = parseExecutorOptions({
      name: 'enc',
      uses: 'X',
      replicas: 2,
      polling: { '/search': 'all', '*': 'ANY' },
      env: { N: 1 },
    });
    assert.deepEqual(o.polling, { '/search': 'ALL', '*': 'ANY' });
    assert.deepEqual(o.env, { N: '1' });
    assert.deepEqual(parseFlowOptions({ protocol: ['GRPC', 'http'], port: [1, 2] }).protocol, ['grpc', 'http']);
  });

  it('rejects unknown or mistyped options with the key', () => {
    assert.throws(
      () => parseExecutorOptions({ replica: 2 }),
      (e: Error & { code: string }) => {
        return e.code === 'WEFT_CONFIG' && /replica/.test(e.message);
      },
    );
    assert.throws(() => parseFlowOptions({ port: 'x' }), /port/);
  });

  it('reads Jina-style Flow YAML with ENV substitution and points at file:line for errors', () => {
    const good = parseYaml(
      'jtype: Flow\nversion: "1"\nwith:\n  protocol: grpc\n  port: ${{ ENV.FLOW_PORT }}\nexecutors:\n  - name: enc\n    uses: ./e.ts#E\n    uses_with: { dim_size: 3 }\n    replicas: 2\n    timeout_send: 500\n',
      'flow.yml',
      { env: { FLOW_PORT: '12345' } },
    );
    const y = parseFlowYaml(good);
    assert.equal(y.options.port, 12345);
    const tls = parseFlowYaml(
      parseYaml('jtype: Flow\nwith:\n  ssl_certfile: tls/cert.pem\n  ssl_keyfile: tls/key.pem\n', 'tls.yml'),
    );
    assert.equal(tls.options.sslCertfile, 'tls/cert.pem');
    assert.equal(tls.options.sslKeyfile, 'tls/key.pem');
    assert.deepEqual(y.executors[0], {
      name: 'enc',
      uses: './e.ts#E',
      usesWith: { dim_size: 3 },
      replicas: 2,
      timeoutSend: 500,
    });
    const bad = parseYaml(
      'jtype: Flow\nexecutors:\n  - name: enc\n    replicas: two\n    polling_mode: ALL\n',
      'bad.yml',
    );
    assert.throws(
      () => parseFlowYaml(bad),
      (e: Error & { code: string }) => {
        return (
          e.code === 'WEFT_CONFIG' &&
          /bad\.yml:4:\d+: executors\.0\.replicas/.test(e.message) &&
          /polling_mode/.test(e.message)
        );
      },
    );
  });
});
