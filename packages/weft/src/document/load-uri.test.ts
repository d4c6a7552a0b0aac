import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { Document } from './document.js';
import { loadImageTensor, loadUri } from './load-uri.js';

let dir: string;
let server: Server;
let base: string;
let png: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-load-'));
  // a 4×2 image: left half red, right half blue
  const raw = Buffer.alloc(4 * 2 * 3);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) raw.set(x < 2 ? [255, 0, 0] : [0, 0, 255], (y * 4 + x) * 3);
  }
  png = await sharp(raw, { raw: { width: 4, height: 2, channels: 3 } })
    .png()
    .toBuffer();
  await writeFile(join(dir, 'img.png'), png);
  await writeFile(join(dir, 'note.txt'), 'hello file');
  server = createServer((req, res) => {
    if (req.url === '/img.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    } else {
      res.writeHead(404);
      res.end('nope');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('loadUri', () => {
  it('reads file: URIs and plain paths', async () => {
    const a = await loadUri(pathToFileURL(join(dir, 'note.txt')).href);
    assert.equal(Buffer.from(a.bytes).toString(), 'hello file');
    assert.equal(a.mimeType, 'text/plain');
    const b = await loadUri(join(dir, 'img.png'));
    assert.equal(b.mimeType, 'image/png');
    assert.equal(b.bytes.byteLength, png.byteLength);
  });

  it('reads data: URIs, base64 and percent-encoded', async () => {
    const a = await loadUri(`data:image/png;base64,${png.toString('base64')}`);
    assert.deepEqual(Buffer.from(a.bytes), png);
    assert.equal(a.mimeType, 'image/png');
    const b = await loadUri('data:,hello%20world');
    assert.equal(Buffer.from(b.bytes).toString(), 'hello world');
    assert.equal(b.mimeType, 'text/plain');
  });

  it('fetches http: URIs', async () => {
    const a = await loadUri(`${base}/img.png`);
    assert.equal(a.mimeType, 'image/png');
    assert.deepEqual(Buffer.from(a.bytes), png);
  });

  it('fails with WEFT_LOAD_URI and a reason', async () => {
    await assert.rejects(loadUri(join(dir, 'missing.jpg')), (e: Error & { code: string }) => {
      return e.code === 'WEFT_LOAD_URI' && /no such file/.test(e.message);
    });
    await assert.rejects(loadUri(`${base}/missing`), (e: Error & { code: string }) => {
      return e.code === 'WEFT_LOAD_URI' && /HTTP 404/.test(e.message);
    });
    await assert.rejects(loadUri('data:image/png;base64'), { code: 'WEFT_LOAD_URI' });
    await assert.rejects(loadUri('ftp://example.invalid/x'), { code: 'WEFT_LOAD_URI' });
    await assert.rejects(loadUri(join(dir, 'img.png'), { maxBytes: 10 }), /over the 10-byte limit/);
  });

  it('Document.loadUriToBlob sets blob and mimeType', async () => {
    const d = await new Document({ uri: `${base}/img.png` }).loadUriToBlob();
    assert.equal(d.blob?.byteLength, png.byteLength);
    assert.equal(d.mimeType, 'image/png');
    await assert.rejects(new Document().loadUriToBlob(), { code: 'WEFT_BAD_DOCUMENT' });
  });
});

describe('loadImageTensor', () => {
  it('decodes to [H, W, 3] uint8 and resizes', async () => {
    const t = await loadImageTensor(png);
    assert.deepEqual(t.shape, [2, 4, 3]);
    assert.equal(t.dtype, '|u1');
    assert.deepEqual(Array.from(t.data.subarray(0, 3) as Uint8Array), [255, 0, 0]);
    assert.deepEqual(Array.from(t.data.subarray(9, 12) as Uint8Array), [0, 0, 255]);
    const r = await loadImageTensor(png, { width: 2, height: 2, fit: 'fill' });
    assert.deepEqual(r.shape, [2, 2, 3]);
  });

  it('honours EXIF orientation', async () => {
    const rotated = await sharp(png).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const t = await loadImageTensor(rotated);
    assert.deepEqual(t.shape, [4, 2, 3]);
  });

  it('converts greyscale and alpha images to RGB', async () => {
    const grey = await sharp(Buffer.alloc(4, 128), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const t = await loadImageTensor(grey);
    assert.deepEqual(t.shape, [2, 2, 3]);
    assert.deepEqual(Array.from(t.data.subarray(0, 3) as Uint8Array), [128, 128, 128]);
  });

  it('Document.loadUriToImageTensor reads the uri', async () => {
    const d = await new Document({ uri: join(dir, 'img.png') }).loadUriToImageTensor({ width: 8, height: 4 });
    assert.deepEqual(d.tensor?.shape, [4, 8, 3]);
  });

  it('reports undecodable bytes with WEFT_LOAD_URI', async () => {
    await assert.rejects(loadImageTensor(new Uint8Array([1, 2, 3, 4])), (e: Error & { code: string }) => {
      return e.code === 'WEFT_LOAD_URI' && /cannot decode image/.test(e.message);
    });
  });

  it('names `npm install sharp` when sharp is missing', async () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const hide = fileURLToPath(new URL('../../test/fixtures/hide-packages.mjs', import.meta.url));
    const script = `
      import { loadImageTensor } from './packages/weft/src/document/index.ts';
      try { await loadImageTensor(new Uint8Array([1])); console.log('no error'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--import', hide, '--input-type=module', '-e', script],
      { cwd: root, env: { ...process.env, WEFT_HIDE_PACKAGES: 'sharp' } },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    assert.equal(out.code, 'WEFT_MISSING_DEPENDENCY');
    assert.match(out.message, /npm install sharp/);
  });
});
