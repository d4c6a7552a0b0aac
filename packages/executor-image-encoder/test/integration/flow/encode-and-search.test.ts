// ImageEncoder in front of VectorIndexer (two shards behind a head), both named in flow.yml and resolved through
// weft's executor registry, every executor its own process behind a gRPC gateway. 30 real openclipart drawings
// are indexed as SVG; a mirrored and a 90 %-cropped JPEG copy of each must find its original as the top match of
// the merged, sharded search. A corrupt image batched with good queries fails only its own request, with the
// error naming that document, and the gateway keeps serving. Needs the openclipart test images
// (`scripts/fetch-test-images.sh`); without them the suite is skipped with a loud message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DocumentArray, type DocumentInit, Flow } from '@weft-ai/weft';
import { type Drawing, openclipartDir, pickDrawings, rasterize } from '../../fixtures/openclipart.js';
import { cropped, flipped } from '../../fixtures/scenes.js';

const dir = openclipartDir();
if (!dir) {
  const banner = '!'.repeat(100);
  console.warn(
    `\n${banner}\n!! SKIPPED: the openclipart test images are not on this machine, so the ImageEncoder + VectorIndexer Flow test did not run.\n!! Fetch them with: bash packages/executor-image-encoder/scripts/fetch-test-images.sh\n${banner}\n`,
  );
}

describe('Flow: ImageEncoder -> sharded VectorIndexer, from YAML', {
  skip: dir ? false : 'openclipart-svg missing',
}, () => {
  const workspace = mkdtempSync(join(tmpdir(), 'weft-encode-search-'));
  const flow = Flow.load(join(import.meta.dirname, 'flow.yml'), {
    env: { ...process.env, FLOW_WORKSPACE: workspace },
  });
  let drawings: Drawing[] = [];
  let rasters: Buffer[] = [];

  /** The ids of each query's matches, best first. */
  const matchIds = (docs: DocumentArray) => new Map(docs.map((q) => [q.id, q.matches.ids]));

  before(async () => {
    drawings = await pickDrawings(dir as string, 3);
    assert.equal(drawings.length, 30);
    rasters = await Promise.all(drawings.map((d) => rasterize(d.svg)));
    await flow.start();
    const indexed = await flow.post(
      '/index',
      drawings.map((d) => ({ id: d.file, blob: d.svg, tags: { category: d.category } })),
      { requestSize: 5 },
    );
    assert.equal(indexed.length, 30);
  });
  after(async () => {
    await flow.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('names the executors by registry name and spreads the index over both shards', async () => {
    assert.deepEqual(
      flow.executors.map((e) => [e.name, e.uses]),
      [
        ['encoder', 'ImageEncoder'],
        ['indexer', 'VectorIndexer'],
      ],
    );
    const [res] = await collect(flow.client.stream('/count', []));
    const perShard = res?.parameters.__results__ as Record<string, { count?: number }>;
    const counts = Object.entries(perShard)
      .filter(([name]) => name.startsWith('indexer/'))
      .map(([, r]) => r.count as number);
    assert.equal(counts.length, 2);
    for (const c of counts) assert.ok(c > 0, `both shards hold drawings: ${counts}`);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      30,
    );
  });

  it('finds the original of every mirrored and every cropped copy as the top match', async () => {
    const queries: DocumentInit[] = [];
    for (const [i, d] of drawings.entries()) {
      const raster = rasters[i] as Buffer;
      queries.push({ id: `flip:${d.file}`, blob: await flipped(raster) });
      queries.push({ id: `crop:${d.file}`, blob: await cropped(raster, 0.9) });
    }
    const results = await flow.post('/search', queries, { parameters: { limit: 5 } });
    assert.equal(results.length, 60);
    const missed: string[] = [];
    const excusable: string[] = [];
    const folder = (id: string | undefined) => id?.slice(0, id.lastIndexOf('/'));
    for (const q of results) {
      assert.equal(q.matchCount, 5, `${q.id}: limit respected across shards`);
      const scores = q.matches.map((m) => m.scores.cosine?.value as number);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => a - b),
        `${q.id}: best first`,
      );
      const original = q.id.slice(q.id.indexOf(':') + 1);
      const top = q.matches.at(0)?.id;
      if (top === original) continue;
      // openclipart has near-identical drawings (three glossy red apples): a same-category drawing first, with the
      // original second or third, is excused once
      const near = folder(top) === folder(original) && q.matches.ids.slice(0, 3).includes(original);
      (near ? excusable : missed).push(`${q.id} -> ${top}`);
    }
    assert.deepEqual(missed, [], 'these did not find their original as the top match');
    assert.ok(excusable.length <= 1, `at most one same-category confusion: ${excusable.join(', ')}`);
  });

  // a guard, not a speed limit: if the three requests did not share a batch, the /search batch would wait 10 min
  it('fails only the request with a corrupt image, naming the document, and keeps serving', {
    timeout: 300_000,
  }, async () => {
    const a = drawings[0] as Drawing;
    const b = drawings[7] as Drawing;
    const good = async (d: Drawing) => [
      { id: `flip:${d.file}`, blob: await flipped(rasters[drawings.indexOf(d)] as Buffer) },
    ];
    const corrupt = [{ id: 'corrupt-photo', blob: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]) }];
    // three single-document requests: the encoder's /search batch flushes at 3 documents, so they share one call
    const settled = await Promise.allSettled(
      [await good(a), corrupt, await good(b)].map((docs) => flow.post('/search', docs, { parameters: { limit: 3 } })),
    );
    const [first, failed, third] = settled;
    assert.equal(failed?.status, 'rejected');
    const err = (failed as PromiseRejectedResult).reason as Error & {
      code: string;
      details?: { executor?: string };
    };
    assert.equal(err.code, 'WEFT_BAD_DOCUMENT', 'the executor error keeps its own code, in-band');
    assert.equal(err.name, 'BadDocumentError');
    assert.equal(err.details?.executor, 'encoder/rep-0');
    assert.match(err.message, /ImageEncoder cannot encode document 'corrupt-photo' \(index 0 of 1\)/);
    for (const [r, d] of [
      [first, a],
      [third, b],
    ] as const) {
      assert.equal(
        r?.status,
        'fulfilled',
        `the request batched with the corrupt one: ${String((r as PromiseRejectedResult).reason)}`,
      );
      const ids = matchIds((r as PromiseFulfilledResult<DocumentArray>).value);
      assert.equal(ids.get(`flip:${d.file}`)?.[0], d.file);
    }
    // the gateway and both executors keep serving (three documents: what flushes the /search batch)
    const c = drawings[20] as Drawing;
    const again = await flow.post('/search', [...(await good(a)), ...(await good(b)), ...(await good(c))], {
      parameters: { limit: 1 },
    });
    assert.deepEqual(
      again.map((q) => q.matches.ids),
      [[a.file], [b.file], [c.file]],
    );
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
