// The shipped build (scripts/build.mjs, the esbuild bundle with code splitting) run by plain node, as an installed
// package runs: a Flow of one executor from it starts (gateway and worker processes fork the bundle's runtime
// mains, which report their start-up phases), answers over gRPC, and every entry shares one copy of each class.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PKG = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

// an executor in plain JavaScript importing the bundle's root, as a user's does (a module of its own: the worker
// imports it)
const EXECUTOR = `
import { Executor } from './dist/index.js';

export class Tag extends Executor {
  constructor(args = {}) {
    super({ ...args, requests: { '/default': 'tag', ...args.requests } });
  }
  tag({ docs }) {
    for (const d of docs) d.tags.seen = true;
  }
}
`;

// a probe in plain JavaScript, run by plain node against the bundle: prints one JSON line
const PROBE = `
import { fileURLToPath } from 'node:url';
import { Flow, WeftError } from './dist/index.js';
import { Client } from './dist/client/index.js';
import { startFlow } from './dist/testing/index.js';

const uses = \`\${fileURLToPath(new URL('./tag.mjs', import.meta.url))}#Tag\`;
const flow = await new Flow({ host: '127.0.0.1' }).add({ name: 'tag', uses }).start();
try {
  const docs = await flow.post('/', [{ text: 'hi' }]);
  const client = new Client({ host: '127.0.0.1', port: flow.port });
  const viaClient = await client.post('/', [{ text: 'again' }]);
  await client.close();
  console.log(JSON.stringify({
    text: docs.at(0)?.text,
    seen: docs.at(0)?.tags.seen,
    viaClient: viaClient.at(0)?.tags.seen,
    pids: flow.pids().length,
    sameFlow: typeof startFlow === 'function' && flow instanceof Flow,
    errorBase: new (await import('./dist/index.js')).ConfigError('x') instanceof WeftError,
  }));
} finally {
  await flow.close();
}
`;

describe('the bundled build', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-bundle-'));
    const r = spawnSync(process.execPath, [join(PKG, 'scripts/build.mjs'), '--out', join(dir, 'dist'), '--no-types'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `the build failed:\n${r.stdout}${r.stderr}`);
    // beside the package, like packages/weft: the runtimes find the workspace's proto/ two levels up, and
    // node_modules resolve from the workspace
    writeFileSync(join(dir, 'tag.mjs'), EXECUTOR);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    symlinkSync(join(PKG, '../../node_modules'), join(dir, 'node_modules'));
    symlinkSync(join(PKG, '../../proto'), join(dir, 'proto'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships one file per entry and the runtime mains, sharing chunks, with every package but grpc-js external', () => {
    const worker = readFileSync(join(dir, 'dist/runtime/worker/worker-main.js'), 'utf8');
    assert.match(worker, /from "\.\.\/\.\.\/chunks\/chunk-[A-Z0-9]+\.js"/);
    for (const entry of ['index', 'client/index', 'testing/index', 'observability/index', 'export/index', 'cli/main']) {
      assert.ok(readFileSync(join(dir, `dist/${entry}.js`), 'utf8').length > 0, entry);
    }
    const chunks = spawnSync('grep', ['-rlE', '^import .* from "(zod|yaml|fastify|ws)"', join(dir, 'dist/chunks')], {
      encoding: 'utf8',
    }).stdout;
    // zod and yaml load on first use; fastify and ws only in the lazily imported protocol chunks
    for (const file of chunks.split('\n').filter(Boolean)) assert.match(file, /(http|websocket)-protocol-/);
  });

  it('runs a Flow from plain node: it answers, and classes are one across entries', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'probe.mjs')], {
      cwd: dir,
      env: { ...process.env, WEFT_LOG_LEVEL: 'warn' },
      timeout: 120_000,
    });
    const line = stdout.trim().split('\n').at(-1) as string;
    assert.deepEqual(JSON.parse(line), {
      text: 'hi',
      seen: true,
      viaClient: true,
      pids: 2,
      sameFlow: true,
      errorBase: true,
    });
  });
});
