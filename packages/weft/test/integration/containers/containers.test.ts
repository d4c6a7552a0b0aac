// The container acceptance test: weft's three images built from this repository (scripts/containers/build-images.sh,
// cached by podman), the shop-the-look Flow's image branch (flow.yml here) exported and run in them — once from the docker-compose file, once from
// the Kubernetes manifests (each workload's container command, environment and volumes, the Service names as
// network aliases) — each on a podman network of its own. A few catalogue images are indexed through the published
// gateway port, and searching with one of them finds it first; both container runs answer as `weft flow` does on
// the same YAML on this machine. Everything a run creates (containers, volumes, network) is removed, and checked
// gone; the images stay tagged, so the next run builds nothing.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exportFlow } from '../../../src/export/index.js';
import { Client, Document, type DocumentArray } from '../../../src/index.js';
import { freePort } from '../../../src/orchestrate/index.js';
import { composeUp } from './compose-runner.js';
import { kubernetesUp } from './kubernetes-runner.js';
import { buildImages, PodmanScope, podmanUnusable } from './podman.js';

const EXAMPLE = fileURLToPath(new URL('../../../../../examples/shop-the-look/', import.meta.url));
/** The image branch of the shop-the-look Flow (see flow.yml beside this file). */
const FLOW = join(import.meta.dirname, 'flow.yml');
const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));

interface Product {
  id: string;
  category: string;
  image: string;
}
/** One product of each of the first categories: a few images, unlike each other. */
const PRODUCTS: Product[] = (() => {
  const all = (JSON.parse(readFileSync(join(EXAMPLE, 'catalogue', 'products.json'), 'utf8')) as { products: Product[] })
    .products;
  const seen = new Set<string>();
  return all.filter((p) => !seen.has(p.category) && seen.add(p.category)).slice(0, 6);
})();
const QUERIES = [PRODUCTS[1], PRODUCTS[4]] as Product[];

function productDoc(p: Product, id = p.id): Document {
  const bytes = readFileSync(join(EXAMPLE, 'catalogue', p.image));
  return new Document({ id, blob: new Uint8Array(bytes), mimeType: 'image/webp', tags: { category: p.category } });
}

interface Answer {
  query: string;
  matches: { id: string; score: number }[];
}

/** Index the products through the gateway at `port`, then search with the query images; the matches of each. */
async function indexAndSearch(port: number): Promise<Answer[]> {
  const client = new Client({ host: '127.0.0.1', port, protocol: 'http', showProgress: false });
  try {
    const indexed = await client.post(
      '/index',
      PRODUCTS.map((p) => productDoc(p)),
      { requestSize: 3 },
    );
    assert.equal(indexed.length, PRODUCTS.length);
    const found: DocumentArray = await client.post(
      '/search',
      QUERIES.map((p) => productDoc(p, `query-${p.id}`)),
      {
        parameters: { limit: 3 },
      },
    );
    return [...found].map((d) => ({
      query: d.id,
      matches: [...d.matches].map((m) => ({ id: m.id, score: Number(m.scores.cosine?.value ?? Number.NaN) })),
    }));
  } finally {
    await client.close();
  }
}

function assertFirstMatches(answers: Answer[], run: string): void {
  assert.deepEqual(
    answers.map((a) => [a.query, a.matches[0]?.id]),
    QUERIES.map((q) => [`query-${q.id}`, q.id]),
    `${run}: each query image finds its product first: ${JSON.stringify(answers)}`,
  );
}

function assertSameAnswers(actual: Answer[], expected: Answer[], run: string): void {
  assert.deepEqual(
    actual.map((a) => a.matches.map((m) => m.id)),
    expected.map((a) => a.matches.map((m) => m.id)),
    `${run} ranks as weft flow does`,
  );
  for (const [i, a] of actual.entries()) {
    for (const [j, m] of a.matches.entries()) {
      const want = expected[i]?.matches[j]?.score as number;
      assert.ok(Math.abs(m.score - want) < 1e-3, `${run}: ${a.query} → ${m.id}: score ${m.score}, weft flow ${want}`);
    }
  }
}

/** `weft flow --uses <flow.yml>` on this machine; resolves with the process once it printed its address. */
async function weftFlow(env: Record<string, string>): Promise<ChildProcess> {
  const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
  const child = spawn(process.execPath, [BIN, 'flow', '--uses', FLOW], {
    env: { ...parent, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (/^http:\/\//m.test(out)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`weft flow exited (${code}) before serving:\n${out}`)));
  });
  return child;
}

describe('the shop-the-look Flow in containers (podman)', { timeout: 1_800_000 }, async () => {
  // skipped where podman cannot run; in CI (.ci/run installs podman) that is a failure, not a skip
  const unusable = await podmanUnusable();
  const skip = unusable && !process.env.CI ? `${unusable}` : false;
  if (skip) console.error(`\n*** container test SKIPPED: ${skip} ***\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'weft-containers-'));
  chmodSync(tmp, 0o755); // ConfigMap files are mounted from here into containers that run as uid 1000
  const scopes: PodmanScope[] = [];
  let local: Answer[] | undefined;

  before(async () => {
    if (skip) return;
    assert.equal(unusable, undefined, `podman must run in CI: ${unusable}`);
    const t0 = performance.now();
    const out = await buildImages();
    console.error(`container test: images ready in ${((performance.now() - t0) / 1000).toFixed(0)} s\n${out}`);
  });

  after(async () => {
    for (const s of scopes) await s.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('weft flow on this machine answers the searches (the reference)', { skip }, async () => {
    const port = await freePort();
    const flow = await weftFlow({
      SHOP_GATEWAY_HOST: '127.0.0.1',
      SHOP_GATEWAY_PORT: String(port),
      SHOP_DATA_DIR: join(tmp, 'local-data'),
    });
    try {
      local = await indexAndSearch(port);
    } finally {
      flow.kill('SIGTERM');
      await once(flow, 'exit');
    }
    assertFirstMatches(local, 'weft flow');
  });

  it('runs from the exported docker-compose file and finds the same products', { skip }, async () => {
    const port = await freePort();
    const file = join(tmp, 'docker-compose.yml');
    const env = { SHOP_GATEWAY_HOST: '0.0.0.0', SHOP_GATEWAY_PORT: String(port), SHOP_DATA_DIR: '/weft/workspace' };
    await exportFlow('docker-compose', FLOW, file, { env });
    const scope = new PodmanScope();
    scopes.push(scope);
    await scope.createNetwork();
    const run = await composeUp(file, scope);
    assert.equal(run.published.get('gateway')?.get(8080), port, 'the gateway publishes the Flow port');
    const answers = await indexAndSearch(port);
    assertFirstMatches(answers, 'compose');
    if (local) assertSameAnswers(answers, local, 'compose');
    await scope.close();
    assert.deepEqual(await scope.leftovers(), [], 'no container, volume or network is left');
  });

  it('runs from the exported Kubernetes manifests and finds the same products', { skip }, async () => {
    const port = await freePort();
    const dir = join(tmp, 'k8s');
    const env = { SHOP_GATEWAY_HOST: '0.0.0.0', SHOP_GATEWAY_PORT: '8080', SHOP_DATA_DIR: '/weft/workspace' };
    await exportFlow('kubernetes', FLOW, dir, { env, namespace: 'shop' });
    const scope = new PodmanScope();
    scopes.push(scope);
    await scope.createNetwork();
    const run = await kubernetesUp(dir, scope, join(tmp, 'k8s-files'), { gateway: port });
    assert.deepEqual([...run.pods.keys()].sort(), ['encoder', 'gateway', 'indexer']);
    const answers = await indexAndSearch(port);
    assertFirstMatches(answers, 'kubernetes');
    if (local) assertSameAnswers(answers, local, 'kubernetes');
    await scope.close();
    assert.deepEqual(await scope.leftovers(), [], 'no container, volume or network is left');
  });
});
