import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Flow } from '../orchestrate/index.js';
import { usesForChild } from '../orchestrate/uses-spec.js';
import { parseNpmUses, resolveNpmUses } from './npm-uses.js';
import { resolveUses } from './uses.js';

// real packages on disk, in a project inside the repository so that their `import '@weft-ai/weft'` finds this weft
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
let project: string;

/** Write node_modules/<name> with `version` and an ESM entry exporting Executor classes. */
function installPackage(name: string, version: string, manifest: Record<string, unknown>, entry: string): void {
  const dir = join(project, 'node_modules', name);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', ...manifest }));
  writeFileSync(
    join(dir, entry),
    `import { Executor } from '@weft-ai/weft';
export const VERSION = '${version}';
export class Tagger extends Executor {}
export class Other extends Executor {}
`,
  );
}

before(() => {
  mkdirSync(join(repo, '.cache'), { recursive: true });
  project = mkdtempSync(join(repo, '.cache', 'npm-uses-'));
  mkdirSync(join(project, 'flows', 'nested'), { recursive: true });
  installPackage(
    '@acme/tagger',
    '1.4.2',
    { exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } } },
    'dist/index.js',
  );
  installPackage('plain-exec', '0.3.0', { main: 'dist/main.js' }, 'dist/main.js');
});

after(() => rmSync(project, { recursive: true, force: true }));

describe('uses: npm:<package>@<range>', () => {
  it('splits package, range and export', () => {
    assert.deepEqual(parseNpmUses('npm:@acme/tagger@^1.2#Tagger'), {
      pkg: '@acme/tagger',
      range: '^1.2',
      exportName: 'Tagger',
    });
    assert.deepEqual(parseNpmUses('npm:plain-exec'), { pkg: 'plain-exec' });
    assert.deepEqual(parseNpmUses('npm:plain-exec@>=0.2 <1'), { pkg: 'plain-exec', range: '>=0.2 <1' });
    assert.throws(() => parseNpmUses('npm:plain-exec@not a range!'), {
      code: 'WEFT_EXECUTOR_LOAD',
      message: /'not a range!' is not a version range/,
    });
    assert.throws(() => parseNpmUses('npm:'), { code: 'WEFT_EXECUTOR_LOAD', message: /does not name an npm package/ });
  });

  it("finds the package from the Flow YAML's folder up, through exports or main", () => {
    const scoped = resolveNpmUses('npm:@acme/tagger@^1.2', join(project, 'flows', 'nested'));
    assert.equal(scoped.version, '1.4.2');
    assert.equal(scoped.file, join(project, 'node_modules', '@acme', 'tagger', 'dist', 'index.js'));
    const plain = resolveNpmUses('npm:plain-exec', project);
    assert.equal(plain.file, join(project, 'node_modules', 'plain-exec', 'dist', 'main.js'));
  });

  it('accepts every range the installed version satisfies and refuses the others, naming the install', () => {
    for (const range of ['1.4.2', '^1.2', '~1.4.0', '>=1', '1.x', '*']) {
      assert.equal(resolveNpmUses(`npm:@acme/tagger@${range}`, project).version, '1.4.2', range);
    }
    for (const range of ['^2', '~1.3.0', '1.4.3', '<1']) {
      assert.throws(() => resolveNpmUses(`npm:@acme/tagger@${range}`, project), {
        code: 'WEFT_EXECUTOR_LOAD',
        message: new RegExp(
          `asks for @acme/tagger@${range.replace(/[.^*~<]/g, '\\$&')}, but 1.4.2 is installed .*: run \`npm install @acme/tagger@`,
        ),
      });
    }
    // ^0.x is as strict as npm's: minor bumps break
    assert.throws(() => resolveNpmUses('npm:plain-exec@^0.2', project), /0\.3\.0 is installed/);
  });

  it('names the npm install command when the package is absent', () => {
    assert.throws(() => resolveNpmUses('npm:@acme/absent@^1.2', project), {
      code: 'WEFT_MISSING_DEPENDENCY',
      message: /uses 'npm:@acme\/absent@\^1\.2' needs .*: run `npm install @acme\/absent@\^1\.2`/,
    });
  });

  it('resolves to the Executor class, the only one or the named export', async () => {
    assert.equal((await resolveUses('npm:@acme/tagger@^1#Other', { cwd: project })).cls.name, 'Other');
    await assert.rejects(resolveUses('npm:@acme/tagger@^1', { cwd: project }), /several Executor classes/);
    await assert.rejects(resolveUses('npm:@acme/tagger@^1#Nope', { cwd: project }), /has no export 'Nope'/);
  });

  it('travels to a worker as the installed file, checked before any process starts', async () => {
    assert.equal(
      await usesForChild('npm:@acme/tagger@^1.4#Tagger', { cwd: join(project, 'flows') }),
      `${join(project, 'node_modules', '@acme', 'tagger', 'dist', 'index.js')}#Tagger`,
    );
    await assert.rejects(usesForChild('npm:@acme/tagger@^3', { cwd: project }), { code: 'WEFT_EXECUTOR_LOAD' });
  });

  it('serves in a Flow from YAML, and an absent package fails the start naming the install', async () => {
    const yml = join(project, 'flows', 'flow.yml');
    writeFileSync(yml, 'jtype: Flow\nexecutors:\n  - name: tagger\n    uses: npm:@acme/tagger@^1.4#Tagger\n');
    const flow = Flow.load(yml);
    try {
      await flow.start();
      assert.equal(flow.executors[0]?.name, 'tagger');
      assert.ok(flow.pids().length >= 2, 'a gateway and the tagger run');
    } finally {
      await flow.close();
    }
    writeFileSync(yml, 'jtype: Flow\nexecutors:\n  - name: gone\n    uses: npm:@acme/gone@~2.0\n');
    const broken = Flow.load(yml);
    await assert.rejects(broken.start(), /run `npm install @acme\/gone@~2\.0`/);
    await broken.close();
  });
});
