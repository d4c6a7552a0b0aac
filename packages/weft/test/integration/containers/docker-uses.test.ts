// `uses: docker://image` run on this machine: `weft flow --container podman` starts each replica of a docker://
// executor as a podman container (the image's config.yml, `weft executor` inside, its gRPC port published on
// loopback) beside the gateway process, supervises it like a worker process (a killed container is replaced), and
// removes every container when the Flow stops. The image is a small one built here on top of weft-gateway (which
// the container test builds too): an executor module and its config.yml in the image's working directory, as a
// user's executor image holds them. Without --container the same Flow fails fast, saying how to run it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { weftVersion } from '../../../src/export/index.js';
import { Client, Document } from '../../../src/index.js';
import { freePort } from '../../../src/orchestrate/index.js';
import { buildImages, ok, podman, podmanUnusable } from './podman.js';

const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));

const TAGGER = `import { Executor } from '@weft-ai/weft';
export class Tagger extends Executor {
  constructor(args = {}) {
    super(args);
    this.label = args.label ?? 'none';
  }
  tag({ docs }) {
    for (const d of docs) {
      d.tags.label = this.label;
      d.tags.suffix = process.env.TAGGER_SUFFIX ?? '';
      d.tags.host = process.env.HOSTNAME ?? '';
    }
  }
}
`;
const CONFIG = `jtype: Tagger
modules: [./tagger.mjs]
requests:
  /tag: tag
`;
/**
 * podman's settings for this kind of machine, the way a user sets them once: crun fails on this kernel's cgroup
 * layout, and podman's default nofile is above the machine's hard limit.
 */
const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=1024:4096", "nproc=1024:4096"]
[engine]
runtime = "runc"
[network]
network_backend = "netavark"
`;

interface Running {
  child: ChildProcess;
  output: () => string;
  /** Its exit code, once it exited. */
  exited: Promise<number | null>;
}

/** `weft flow --uses <file> [args]`; resolves once it printed its address (or it exited, for the failure case). */
async function weftFlow(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
  const child = spawn(process.execPath, [BIN, 'flow', '--uses', file, ...args], {
    env: { ...parent, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  for (const s of [child.stdout, child.stderr]) s?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (/^http:\/\//m.test(out)) resolve();
    });
    void exited.then(() => resolve());
    child.on('error', reject);
  });
  return { child, output: () => out, exited };
}

/** The ids of the containers of `image` (a replacement under the same name has a new id). */
async function containersOf(image: string): Promise<string[]> {
  const out = await ok(['ps', '--all', '--no-trunc', '--filter', `ancestor=${image}`, '--format', '{{.ID}}']);
  return out.split('\n').filter((l) => l.trim() !== '');
}

describe('docker:// executors run by podman beside weft flow', { timeout: 600_000 }, async () => {
  const unusable = await podmanUnusable();
  const skip = unusable && !process.env.CI ? `${unusable}` : false;
  if (skip) console.error(`\n*** docker:// test SKIPPED: ${skip} ***\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'weft-docker-uses-'));
  const image = `localhost/weft-test-tagger:${process.pid}`;
  const conf = join(tmp, 'containers.conf');
  const env = { CONTAINERS_CONF: conf };
  let port = 0;
  let flowFile = '';

  before(async () => {
    if (skip) return;
    assert.equal(unusable, undefined, `podman must run in CI: ${unusable}`);
    await buildImages();
    const ctx = join(tmp, 'image');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'tagger.mjs'), TAGGER);
    writeFileSync(join(ctx, 'config.yml'), CONFIG);
    writeFileSync(
      join(ctx, 'Containerfile'),
      `FROM localhost/weft-gateway:${weftVersion()}\nCOPY tagger.mjs config.yml /app/\n`,
    );
    await ok(['build', '--format', 'docker', '-t', image, ctx], 300_000);
    writeFileSync(conf, CONTAINERS_CONF);
    port = await freePort();
    flowFile = join(tmp, 'flow.yml');
    writeFileSync(
      flowFile,
      `jtype: Flow
with:
  protocol: http
  port: ${port}
executors:
  - name: tagger
    uses: docker://${image}
    replicas: 2
    uses_with: { label: from-a-container }
    env: { TAGGER_SUFFIX: '!' }
`,
    );
  });

  after(async () => {
    if (!skip) {
      for (const c of await containersOf(image).catch(() => [])) await podman(['rm', '--force', c]);
      await podman(['rmi', '--force', image]);
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('fails fast without --container, saying how to run the image', { skip }, async () => {
    const run = await weftFlow(flowFile, [], env);
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /WEFT_CONTAINER_REQUIRED/);
    assert.match(run.output(), /--container podman/);
    assert.deepEqual(await containersOf(image), []);
  });

  it('serves the image through the gateway, replaces a killed container, and removes them all', { skip }, async () => {
    const run = await weftFlow(flowFile, ['--container', 'podman'], env);
    try {
      assert.equal(run.child.exitCode, null, `weft flow did not start:\n${run.output()}`);
      const client = new Client({ host: '127.0.0.1', port, protocol: 'http', showProgress: false });
      const hosts = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const docs = await client.post('/tag', [new Document({ text: `q${i}` })]);
        const tags = docs.at(0)?.tags as Record<string, unknown>;
        assert.equal(tags.label, 'from-a-container'); // uses_with reached the container's executor
        assert.equal(tags.suffix, '!'); // so did the executor's env
        hosts.add(String(tags.host));
      }
      assert.equal(hosts.size, 2, `both replicas answered (container hostnames: ${[...hosts].join(', ')})`);
      const before = await containersOf(image);
      assert.equal(before.length, 2, before.join(', '));

      // a container that dies is replaced, as a crashed worker process is; the Flow keeps answering meanwhile
      await ok(['kill', before[0] as string]);
      const until = Date.now() + 120_000;
      let after: string[] = [];
      for (;;) {
        after = await containersOf(image);
        if (after.length === 2 && !after.includes(before[0] as string)) break;
        assert.ok(Date.now() < until, `the killed container was not replaced: ${after.join(', ')}\n${run.output()}`);
        const docs = await client.post('/tag', [new Document({ text: 'during' })]);
        assert.equal(docs.at(0)?.tags.label, 'from-a-container');
        await new Promise((r) => setTimeout(r, 250)); // polling podman: there is no event to await
      }
      const docs = await client.post('/tag', [new Document({ text: 'after' })]);
      assert.equal(docs.at(0)?.tags.label, 'from-a-container');
      client.close();
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0, run.output());
    assert.deepEqual(await containersOf(image), [], 'every container is removed when the Flow stops');
  });
});
