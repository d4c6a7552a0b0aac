/**
 * `npm run screenshot -w examples/shop-the-look`: regenerate the README's picture of the page (docs/shop-the-look.png
 * at the repository root). Starts the app on a free port with the bundled catalogue (the data folder's index, or
 * `--data-dir`; the first run indexes it), waits until it is indexed, searches with a photo of the red fedora on a
 * beige table (as the browser test makes it) in Debian's chromium (CHROMIUM_PATH for another), and saves the viewport.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { BUNDLED_CATALOGUE, EXAMPLE_DIR } from '../src/config.js';
import { ShopApp } from '../src/shop.js';
import { tintedRotatedJpeg } from '../test/images.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: join(EXAMPLE_DIR, '.data') },
    out: { type: 'string', default: join(EXAMPLE_DIR, '../../docs/shop-the-look.png') },
  },
});
const app = new ShopApp({
  host: '127.0.0.1',
  port: 0,
  catalogueDir: BUNDLED_CATALOGUE,
  dataDir: values['data-dir'] as string,
  reindex: false,
});
const scratch = await mkdtemp(join(tmpdir(), 'shop-screenshot-'));
try {
  await app.start();
  const s = await app.indexed();
  if (s.state !== 'ready') throw new Error(`indexing ${s.state}: ${s.error}`);
  const photo = join(scratch, 'red-fedora-on-beige.jpg');
  await writeFile(photo, await tintedRotatedJpeg(join(BUNDLED_CATALOGUE, 'images/red-fedora.webp')));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 860 }, deviceScaleFactor: 1 });
    await page.goto(app.url);
    await page.locator('#catalogue .product').first().waitFor();
    await page.setInputFiles('#file-input', photo);
    await page.waitForFunction(`/products.* in \\d+ ms/.test(document.getElementById('status').textContent)`);
    await page.waitForFunction(
      `[...document.querySelectorAll('#results img')].every((i) => i.complete && i.naturalWidth > 0)`,
    );
    await page.screenshot({ path: values.out as string });
    console.log(`wrote ${values.out}`);
  } finally {
    await browser.close();
  }
} finally {
  await app.close();
  await rm(scratch, { recursive: true, force: true });
}
