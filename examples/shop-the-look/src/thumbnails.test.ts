import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { Thumbnails } from './thumbnails.js';

let dir: string | undefined;
after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('Thumbnails', () => {
  it('serves big photos and types browsers cannot show as a small upright WebP', async () => {
    assert.equal(Thumbnails.needed('image/webp', 40_000), false);
    assert.equal(Thumbnails.needed('image/jpeg', 3_000_000), true);
    assert.equal(Thumbnails.needed('image/heic', 40_000), true);
    assert.equal(Thumbnails.needed('image/svg+xml', 3_000_000), false);
    dir = await mkdtemp(join(tmpdir(), 'shop-thumbs-'));
    // stored 1200 wide x 2000 high, turned upright (2000 x 1200) by its EXIF orientation
    await sharp({ create: { width: 1200, height: 2000, channels: 3, background: '#c33' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(join(dir, 'big.jpg'));
    const thumbs = new Thumbnails(dir);
    const webp = await thumbs.get('big.jpg');
    const meta = await sharp(webp).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 384, 230]);
    assert.equal(await thumbs.get('big.jpg'), webp, 'made once');
    await assert.rejects(thumbs.get('missing.jpg'));
  });
});
