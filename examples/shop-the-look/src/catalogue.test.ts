import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCatalogue, titleFromName } from './catalogue.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shop-catalogue-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe('loadCatalogue', () => {
  it('makes every image a product: sub-folders are categories, titles come from the file names', async () => {
    const dir = await folder({
      'hats/red_fedora.jpg': 'x',
      'hats/Cowboy-Hat.PNG': 'x',
      'garden tools/big/rake.webp': 'x',
      'loose.gif': 'x',
      'notes.txt': 'not an image',
      '.hidden/skip.jpg': 'x',
    });
    const c = await loadCatalogue(dir);
    assert.deepEqual(
      c.products.map((p) => [p.id, p.title, p.category, p.image]),
      [
        ['garden-tools/big/rake', 'Rake', 'Garden tools / Big', 'garden tools/big/rake.webp'],
        ['hats/cowboy-hat', 'Cowboy Hat', 'Hats', 'hats/Cowboy-Hat.PNG'],
        ['hats/red-fedora', 'Red fedora', 'Hats', 'hats/red_fedora.jpg'],
        ['loose', 'Loose', 'Products', 'loose.gif'],
      ],
    );
    assert.deepEqual(c.categories, ['Garden tools / Big', 'Hats', 'Products']);
    assert.equal(c.products[0]?.price, undefined);
  });

  it('takes better names and prices from an optional products.json', async () => {
    const dir = await folder({
      'hats/red_fedora.jpg': 'x',
      'hats/cap.jpg': 'x',
      'products.json': JSON.stringify({
        products: [{ image: 'hats/red_fedora.jpg', id: 'fedora', title: 'Red fedora, wool', price: 62.99 }],
      }),
    });
    const c = await loadCatalogue(dir);
    assert.deepEqual(c.products, [
      { id: 'fedora', title: 'Red fedora, wool', category: 'Hats', price: 62.99, image: 'hats/red_fedora.jpg' },
      { id: 'hats/cap', title: 'Cap', category: 'Hats', image: 'hats/cap.jpg' },
    ]);
  });

  it('names the entry to fix', async () => {
    const missing = await folder({ 'a.jpg': 'x', 'products.json': '[{"image": "b.jpg"}]' });
    await assert.rejects(loadCatalogue(missing), /products\[0\]\.image 'b\.jpg': no such image/);
    const price = await folder({ 'a.jpg': 'x', 'products.json': '[{"image": "a.jpg", "price": "cheap"}]' });
    await assert.rejects(loadCatalogue(price), /products\[0\]\.price must be a number/);
    const outside = await folder({ 'a.jpg': 'x', 'products.json': '[{"image": "../a.jpg"}]' });
    await assert.rejects(loadCatalogue(outside), /is outside/);
    await assert.rejects(loadCatalogue(await folder({ 'notes.txt': 'x' })), /no images in/);
    await assert.rejects(loadCatalogue(join(tmpdir(), 'no-such-shop-folder')), /cannot read the catalogue folder/);
  });

  it('makes titles of file names', () => {
    assert.equal(titleFromName('blue_logo-t-shirt'), 'Blue logo t shirt');
  });
});
