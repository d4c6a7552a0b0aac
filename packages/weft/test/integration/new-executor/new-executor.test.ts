/**
 * `weft new executor demo && cd demo && npm install && npm test`, as a user runs it: the scaffold depends on a built
 * copy of this weft (its dist/ compiled here, like the package npm would install, linked with `--weft-spec file:`),
 * installs from the npm cache, builds (its `prepare` script) and passes its own test, which serves config.yml in a
 * Flow. Bad names and non-empty folders are coded errors that write nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const pkgDir = fileURLToPath(new URL('../../../', import.meta.url));
const repo = join(pkgDir, '..', '..');
const bin = join(pkgDir, 'bin', 'weft.mjs');
const run = promisify(execFile);

/** The environment without what an enclosing `npm test` sets, so the nested npm behaves as in a fresh shell. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^npm_/i.test(k) && !['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'INIT_CWD'].includes(k),
  ),
);

async function weft(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('npm', args, { cwd, env, timeout: 300_000 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout: string; stderr: string };
    assert.fail(`npm ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

let tmp: string;
let weftCopy: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'weft-new-'));
  // the weft package as npm would install it: package.json, bin/ and a compiled dist/ (types included)
  weftCopy = join(tmp, 'weft');
  mkdirSync(weftCopy);
  cpSync(join(pkgDir, 'package.json'), join(weftCopy, 'package.json'));
  cpSync(join(pkgDir, 'bin'), join(weftCopy, 'bin'), { recursive: true });
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(
    process.execPath,
    [
      tsc,
      ...['-p', join(pkgDir, 'tsconfig.build.json'), '--outDir', join(weftCopy, 'dist')],
      ...['--noCheck', '--sourceMap', 'false', '--declarationMap', 'false'],
    ],
    { timeout: 300_000 },
  );
  // weft's own dependencies, as they would sit beside it
  symlinkSync(join(repo, 'node_modules'), join(weftCopy, 'node_modules'));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('weft new executor', () => {
  it('scaffolds a package that installs, builds and passes its own test', async () => {
    const made = await weft(['new', 'executor', 'demo', '--weft-spec', `file:${weftCopy}`], tmp);
    assert.equal(made.code, 0, made.stderr);
    const demo = join(tmp, 'demo');
    assert.equal(made.stdout.trim(), demo);
    const pkg = JSON.parse(readFileSync(join(demo, 'package.json'), 'utf8'));
    assert.equal(pkg.dependencies['@weft-ai/weft'], `file:${weftCopy}`);
    assert.match(readFileSync(join(demo, 'src', 'demo.ts'), 'utf8'), /export class Demo extends Executor/);
    assert.match(readFileSync(join(demo, 'Dockerfile'), 'utf8'), /^FROM node:20-bookworm-slim$/m);

    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], demo);
    assert.ok(existsSync(join(demo, 'dist', 'demo.js')), 'npm install built dist/demo.js');
    assert.ok(existsSync(join(demo, 'dist', 'demo.d.ts')), 'npm install built dist/demo.d.ts');
    const out = await npm(['test'], demo);
    assert.match(out, /^# pass 2$/m, out);
    assert.match(out, /^# fail 0$/m, out);
  });

  it('is what the README\'s "Your own executor" section tells a user to run', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Your own executor\n');
    assert.ok(start >= 0, 'README.md has a "Your own executor" section');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    // the commands the first test runs, and the uses: form npm-uses.test.ts resolves
    assert.match(section, /^npx weft new executor greeter && cd greeter && npm install && npm test$/m);
    assert.match(section, /^ {4}uses: npm:greeter@\^0\.1$/m);
  });

  it('defaults the weft dependency to this version', async () => {
    const made = await weft(['new', 'executor', '@acme/image-tagger', '--dir', 'tagger'], tmp);
    assert.equal(made.code, 0, made.stderr);
    const pkg = JSON.parse(readFileSync(join(tmp, 'tagger', 'package.json'), 'utf8'));
    const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    assert.equal(pkg.name, '@acme/image-tagger');
    assert.equal(pkg.dependencies['@weft-ai/weft'], `^${version}`);
    assert.match(readFileSync(join(tmp, 'tagger', 'src', 'image-tagger.ts'), 'utf8'), /class ImageTagger /);
  });

  it('refuses a name that breaks the rule, naming the rule', async () => {
    for (const name of ['Demo', '9lives', 'my_exec', '@scope/', 'a/b']) {
      const r = await weft(['new', 'executor', name], tmp);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /WEFT_BAD_ARGUMENT: .* is not a valid executor name: use an npm package name in lowercase/,
      );
    }
    assert.ok(!existsSync(join(tmp, 'Demo')));
  });

  it('refuses a folder that already holds files, writing nothing', async () => {
    const busy = join(tmp, 'busy');
    mkdirSync(busy);
    cpSync(join(pkgDir, 'package.json'), join(busy, 'keep.json'));
    const r = await weft(['new', 'executor', 'busy'], tmp);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /WEFT_EXPORT_TARGET: '.*busy' already holds files/);
    assert.deepEqual(readdirSync(busy), ['keep.json']);
  });

  it('says how to use it when the arguments are wrong (exit 2)', async () => {
    const r = await weft(['new', 'flow', 'x'], tmp);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /weft new executor <name>/);
  });
});
