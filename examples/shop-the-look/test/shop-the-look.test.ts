// End to end: the app as a user runs it (main.ts in its own process, on a free port, a temporary data folder and a
// small slice of the bundled catalogue), driven through its web page in a real browser (Debian's chromium via
// playwright-core). A mirrored copy of a product finds that product first; the category filter narrows the
// matches; a file that is not an image is answered with an error on the page and the app goes on serving; SIGINT
// stops the app and its Flow, exit code 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { Product } from '../src/catalogue.js';

const EXAMPLE = join(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Generous bounds for a loaded 2-core machine; they only stop a hung run, they are not performance targets. */
const WAIT = { timeout: 120_000 };

interface App {
  child: ChildProcess;
  url: string;
  gatewayUrl: string;
  output(): string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Start main.ts and resolve once it prints the page's address (its ready signal). */
async function startApp(args: string[]): Promise<App> {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', join(EXAMPLE, 'main.ts'), ...args],
    { cwd: EXAMPLE, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = /ready: open (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout?.off('data', check);
        resolve(m);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(([code]) => reject(new Error(`the app exited (${code}) before it was ready:\n${out}`)));
  });
  const m = await ready;
  const gateway = /HTTP gateway at (http:\/\/\S+)/.exec(out);
  assert.ok(gateway, `the app names its gateway:\n${out}`);
  return { child, url: m[1] as string, gatewayUrl: gateway[1] as string, output: () => out, exited };
}

/** The product ids of the result cards, best first. */
async function resultIds(page: Page): Promise<string[]> {
  const cards = page.locator('#results .product');
  const ids: string[] = [];
  for (let i = 0; i < (await cards.count()); i++) ids.push((await cards.nth(i).getAttribute('data-id')) ?? '');
  return ids;
}

// Browser-side code is given as text: this file is type-checked without the DOM library.
const RESET_STATUS = `document.getElementById('status').textContent = ''; document.getElementById('error').hidden = true;`;
const SEARCH_FINISHED = `/products.* in \\d+ ms|No products/.test(document.getElementById('status').textContent) ||
  !document.getElementById('error').hidden`;

/** Run `action` and wait until the page reports a finished search (matches or an error). */
async function searchDone(page: Page, action: () => Promise<void>): Promise<void> {
  await page.evaluate(RESET_STATUS);
  await action();
  await page.waitForFunction(SEARCH_FINISHED, undefined, WAIT);
}

describe('shop-the-look app', { timeout: 600_000 }, () => {
  // skipped on a developer machine without a browser; in CI (.ci/run installs chromium) a missing browser fails
  const skip =
    existsSync(CHROMIUM) || process.env.CI
      ? false
      : `no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (skip) console.error(`\n*** shop-the-look e2e test SKIPPED: ${skip} ***\n`);
  let dir: string;
  let app: App | undefined;
  let browser: Browser | undefined;
  let slice: Product[];
  const pageErrors: string[] = [];

  before(async () => {
    if (skip) return;
    dir = await mkdtemp(join(tmpdir(), 'shop-the-look-e2e-'));
    // a small slice of the bundled catalogue: the first product of every category
    const bundled = JSON.parse(await readFile(join(EXAMPLE, 'catalogue', 'products.json'), 'utf8')) as {
      products: Product[];
    };
    const seen = new Set<string>();
    slice = bundled.products.filter((p) => !seen.has(p.category) && seen.add(p.category));
    await mkdir(join(dir, 'catalogue', 'images'), { recursive: true });
    for (const p of slice) await copyFile(join(EXAMPLE, 'catalogue', p.image), join(dir, 'catalogue', p.image));
    await writeFile(join(dir, 'catalogue', 'products.json'), JSON.stringify({ products: slice }));
    app = await startApp(['--port', '0', '--catalogue', join(dir, 'catalogue'), '--data-dir', join(dir, 'data')]);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  after(async () => {
    await browser?.close();
    if (app && app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('indexed the catalogue slice on start, reporting progress and time', { skip }, () => {
    const out = app!.output();
    assert.match(out, /the index in .* is empty: indexing \d+ products/);
    assert.match(out, new RegExp(`indexed ${slice.length} products in [\\d.]+ s`));
  });

  it('finds the product a mirrored photo shows, first; filters by category; survives a non-image', {
    skip,
  }, async () => {
    const page = await browser!.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(app!.url);
    await page
      .locator('#catalogue .product')
      .nth(slice.length - 1)
      .waitFor(WAIT);
    assert.equal(await page.locator('#catalogue .product').count(), slice.length);

    // a mirrored PNG copy of a catalogue image, uploaded through the file input
    const target = slice.find((p) => p.category === 'Hats') ?? (slice[0] as Product);
    const flipped = join(dir, `mirrored-${target.id}.png`);
    await sharp(join(EXAMPLE, 'catalogue', target.image))
      .flop()
      .png()
      .toFile(flipped);
    await searchDone(page, () => page.setInputFiles('#file-input', flipped));
    assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').innerText());
    const ids = await resultIds(page);
    assert.equal(ids[0], target.id, `the original is the first match: ${ids.join(', ')}`);
    const first = page.locator('#results .product').first();
    const card = await first.innerText();
    assert.match(card, new RegExp(target.title));
    assert.match(card, new RegExp(target.category));
    assert.match(card, /€/);
    assert.match(card, /score \d\.\d{3}/);
    assert.match(await first.locator('img').getAttribute('src').then(String), /^\/catalogue\/images\//);
    await page.waitForFunction(`document.querySelector('#results .product img').naturalWidth > 0`, undefined, WAIT);

    // the category filter narrows the same query
    const other = slice.find((p) => p.id !== target.id) as Product;
    await searchDone(page, async () => {
      await page.selectOption('#category', other.category);
    });
    const filtered = await page.locator('#results .product .category').allInnerTexts();
    assert.ok(filtered.length > 0, 'the filtered search has matches');
    assert.deepEqual(new Set(filtered), new Set([other.category]));
    await page.selectOption('#category', '');

    // a file that is not an image: a clear error on the page, no results
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'this is not a photo\n');
    await searchDone(page, () => page.setInputFiles('#file-input', text));
    assert.equal(await page.locator('#error').isVisible(), true);
    assert.match(await page.locator('#error').innerText(), /not an image we can read/);
    assert.equal(await page.locator('#results .product').count(), 0);

    // the app keeps serving: clicking a catalogue product searches with its image
    const clicked = slice[slice.length - 1] as Product;
    await searchDone(page, () => page.locator(`#catalogue .product[data-id="${clicked.id}"]`).click());
    assert.equal(await page.locator('#error').isHidden(), true);
    assert.equal((await resultIds(page))[0], clicked.id);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it("answers a search with the matches only, not the query's image and embedding, calibrated", { skip }, async () => {
    const photo = await readFile(join(EXAMPLE, 'catalogue', (slice[0] as Product).image));
    const big = await sharp(photo).resize({ width: 1600 }).jpeg({ quality: 95 }).toBuffer();
    const res = await fetch(`${app!.url}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        data: [{ id: 'query', blob: big.toString('base64') }],
        parameters: { limit: 3, dropImage: true, dropQueryEmbedding: true },
      }),
    });
    const text = await res.text();
    const body = JSON.parse(text) as { data: Record<string, unknown>[] };
    const query = body.data[0] as {
      blob?: unknown;
      embedding?: unknown;
      matches: { scores: Record<string, unknown> }[];
    };
    assert.equal(query.blob, undefined);
    assert.equal(query.embedding, undefined);
    assert.equal(query.matches.length, 3);
    assert.ok(text.length < big.length / 4, `answer ${text.length} bytes for a ${big.length}-byte upload`);
    const scores = query.matches[0]?.scores as Record<string, { value: number }>;
    assert.equal(scores.match?.value, 1, 'the product itself is a match');
    assert.ok((scores.calibrated?.value as number) > 0.5);
  });

  it('stops the page and the Flow on SIGINT, exit code 0', { skip }, async () => {
    const a = app as App;
    a.child.kill('SIGINT');
    const [code] = await a.exited;
    assert.equal(code, 0, a.output());
    assert.match(a.output(), /shop-the-look: stopped/);
    await assert.rejects(fetch(a.url), 'the page is no longer served');
    await assert.rejects(fetch(a.gatewayUrl), 'the gateway is stopped');
  });
});
