import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Executor, registerExecutor } from '../executor/index.js';
import { Deployment } from './deployment.js';
import { loadDeploymentYaml } from './deployment-yaml.js';
import { usesForChild } from './uses-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-dep-yaml-'));
function yamlFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

class Registered extends Executor {}

/** `${{ ENV.<name> }}`, written so that linters do not take it for a template placeholder. */
const envRef = (name: string) => `\${{ ENV.${name} }}`;

describe('Deployment options', () => {
  it('validates the options object, naming the key', () => {
    assert.throws(() => new Deployment({ uses: 'X', replicas: 0 }), {
      code: 'WEFT_CONFIG',
      message: /invalid Deployment options:\n {2}replicas: /,
    });
    assert.throws(() => new Deployment({ uses: 'X', polling: 'SOME' as never }), /polling: /);
    assert.throws(() => new Deployment({ uses: 'X', usesWith: { fn: () => 1 } }), /usesWith\.fn: must be plain JSON/);
    assert.throws(() => new Deployment({ uses: 'X', name: 'a/b' }), /name: must be a name without '\/'/);
    assert.throws(() => new Deployment({ uses: 'X', colour: 'red' } as never), /colour: unknown key\(s\) colour/);
    // one port rule everywhere: 0 picks a free port (as for `weft executor --port 0`)
    assert.equal(new Deployment({ uses: 'X', port: 0 }).options.port, 0);
    assert.throws(() => new Deployment({ uses: 'X', port: 65536 }), /port: /);
    assert.equal(new Deployment({ uses: 'X' }).name, 'executor');
  });

  it('loads YAML with environment substitution, snake_case keys and uses relative to the file', () => {
    const file = yamlFile(
      'ok.yml',
      [
        'jtype: Deployment',
        'with:',
        '  name: enc',
        '  uses: ./exec.ts#Enc',
        `  replicas: ${envRef('REPLICAS')}`,
        '  uses_with:',
        `    greeting: ${envRef('GREETING')}`,
        '  timeout_ready: 1000',
        "  polling: { '/search': ALL, '*': ANY }",
        '  env: { LEVEL: 3 }',
      ].join('\n'),
    );
    const o = loadDeploymentYaml(file, { env: { REPLICAS: '2', GREETING: 'howdy' } });
    assert.deepEqual(o, {
      name: 'enc',
      uses: './exec.ts#Enc',
      replicas: 2,
      usesWith: { greeting: 'howdy' },
      timeoutReady: 1000,
      polling: { '/search': 'ALL', '*': 'ANY' },
      env: { LEVEL: '3' },
      cwd: dir,
    });
  });

  it('reports YAML problems with file, line and key', () => {
    const bad = yamlFile(
      'bad.yml',
      ['jtype: Deployment', 'with:', '  uses: X', '  replicas: two', '  colour: red'].join('\n'),
    );
    assert.throws(
      () => loadDeploymentYaml(bad),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_CONFIG');
        assert.ok(err.message.includes(`${bad}:4:13: with.replicas:`), err.message);
        assert.ok(err.message.includes(`${bad}:5:11: with.colour: unknown key(s) colour`), err.message);
        return true;
      },
    );
    const wrongType = yamlFile('wrong.yml', 'jtype: Flow\nwith: { uses: X }\n');
    assert.throws(() => loadDeploymentYaml(wrongType), /wrong\.yml:1:8: jtype: must be 'Deployment'/);
    assert.throws(
      () =>
        loadDeploymentYaml(yamlFile('env.yml', `jtype: Deployment\nwith:\n  uses: ${envRef('NOPE_X')}\n`), { env: {} }),
      /env\.yml:3:9: \$\{\{ ENV\.NOPE_X \}\} is not set/,
    );
    assert.throws(() => Deployment.load(join(dir, 'missing.yml')), /cannot read config .*missing\.yml.*no such file/);
  });

  it('turns uses into what a worker process can load', async () => {
    assert.equal(await usesForChild('./exec.ts#Enc', { cwd: '/app' }), '/app/exec.ts#Enc');
    assert.equal(await usesForChild('../conf/exec.yml', { cwd: '/app/x' }), '/app/conf/exec.yml');
    assert.equal(await usesForChild('exec.yml', { cwd: '/app' }), '/app/exec.yml');
    assert.equal(await usesForChild('/abs/exec.ts', { cwd: '/app' }), '/abs/exec.ts');
    assert.equal(await usesForChild('VectorIndexer', { cwd: '/app' }), 'VectorIndexer');
    assert.equal(await usesForChild('Unknown', { cwd: '/app' }), 'Unknown');
    registerExecutor('RegisteredForChild', Registered);
    assert.deepEqual(await usesForChild('RegisteredForChild', { cwd: '/app', callSite: 'file:///app/main.ts' }), {
      module: import.meta.url,
      exportName: 'Registered',
      capture: true,
      modules: ['file:///app/main.ts'],
    });
  });
});
