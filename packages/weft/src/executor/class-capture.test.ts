import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { childExecArgv } from '../orchestrate/index.js';

const fixture = (name: string) => new URL(`../../test/fixtures/capture/${name}`, import.meta.url).href;
const runner = new URL('../../test/fixtures/capture/load-captured.ts', import.meta.url).pathname;

interface Outcome {
  ok: boolean;
  name?: string;
  endpoints?: string[];
  child?: string;
  code?: string;
  message?: string;
  stdout: string;
}

/** Load a class the way a worker process does, in a fresh process. */
function load(uses: object): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    execFile(
      process.execPath,
      [...childExecArgv([]), runner, JSON.stringify(uses)],
      { env, timeout: 60_000 },
      (err, stdout) => {
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (!line) return reject(err ?? new Error(`no outcome printed: ${stdout}`));
        resolve({ ...(JSON.parse(line) as Outcome), stdout });
      },
    );
  });
}

describe('loadCapturedClass (in a child process)', () => {
  it('takes the class a module exports', async () => {
    const r = await load({ module: fixture('exported.ts'), exportName: 'Exported', capture: true });
    assert.deepEqual([r.ok, r.name, r.endpoints, r.child], [true, 'Exported', ['/e'], '1']);
  });

  it('captures an unexported class of a main script at its new Deployment(), which never continues', async () => {
    const r = await load({ module: fixture('main-script.ts'), exportName: 'Scripted', capture: true });
    assert.deepEqual([r.ok, r.name, r.endpoints], [true, 'Scripted', ['/s']]);
    assert.doesNotMatch(r.stdout, /MAIN SCRIPT CONTINUED/);
  });

  it('loads classes from a test file without running its tests', async () => {
    const [exported, inSuite] = await Promise.all([
      load({ module: fixture('test-module.ts'), exportName: 'FromTestFile', capture: true }),
      load({ module: fixture('test-module.ts'), exportName: 'DeclaredInSuite', capture: true }),
    ]);
    assert.deepEqual([exported.ok, exported.name, exported.endpoints], [true, 'FromTestFile', ['/t']]);
    assert.deepEqual([inSuite.ok, inSuite.name, inSuite.endpoints], [true, 'DeclaredInSuite', ['/d']]);
    assert.doesNotMatch(exported.stdout + inSuite.stdout, /TEST RAN/);
  });

  it('tries the further modules in order', async () => {
    const r = await load({
      module: fixture('exported.ts'),
      exportName: 'Scripted',
      capture: true,
      modules: [fixture('main-script.ts')],
    });
    assert.deepEqual([r.ok, r.name], [true, 'Scripted']);
  });

  it('explains why a class cannot be loaded instead of waiting', async () => {
    const [blocked, missing, impostor, broken] = await Promise.all([
      load({ module: fixture('blocked-script.ts'), exportName: 'Second', capture: true }),
      load({ module: fixture('exported.ts'), exportName: 'Nope', capture: true }),
      load({ module: fixture('not-executor.ts'), exportName: 'Impostor', capture: true }),
      load({ module: fixture('does-not-exist.ts'), exportName: 'X', capture: true }),
    ]);
    assert.equal(blocked.code, 'WEFT_EXECUTOR_LOAD');
    assert.match(
      blocked.message ?? '',
      /blocked-script\.ts: its evaluation started Deployment 'first' before reaching/,
    );
    assert.match(blocked.message ?? '', /export the class from its module \(export class Second/);
    assert.match(
      missing.message ?? '',
      /exported\.ts: it does not export 'Nope' and its evaluation never passed the class/,
    );
    assert.match(impostor.message ?? '', /its export 'Impostor' is not a class extending Executor/);
    assert.equal(broken.code, 'WEFT_EXECUTOR_LOAD');
    assert.match(broken.message ?? '', /importing '.*does-not-exist\.ts' to load executor class 'X' failed/);
  });
});
