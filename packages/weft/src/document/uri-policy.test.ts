import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { UriRefusedError } from '../errors/index.js';
import { loadUri } from './load-uri.js';
import { executorUriPolicy, nonPublicReason, type UriPolicy } from './uri-policy.js';

const refused = (reason: string) => (err: unknown) => {
  assert.ok(err instanceof UriRefusedError, String(err));
  assert.equal(err.code, 'WEFT_URI_REFUSED');
  assert.equal(err.details.reason, reason);
  return true;
};

describe('URI policy: files', () => {
  let base: string;
  let root: string;
  let policy: UriPolicy;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'weft-uri-'));
    root = join(base, 'root');
    mkdirSync(root);
    writeFileSync(join(root, 'ok.txt'), 'inside');
    writeFileSync(join(base, 'secret.txt'), 'outside');
    symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'));
    policy = executorUriPolicy([root], {});
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it('reads a file under a root, as a path and as a file: URL', async () => {
    assert.equal(Buffer.from((await loadUri(join(root, 'ok.txt'), { policy })).bytes).toString(), 'inside');
    assert.equal((await loadUri(pathToFileURL(join(root, 'ok.txt')).href, { policy })).bytes.length, 6);
  });

  it('refuses a file outside the roots: absolute, ../ traversal, file: URL, a symlink out', async () => {
    await assert.rejects(loadUri(join(base, 'secret.txt'), { policy }), refused('file-root'));
    await assert.rejects(loadUri(join(root, '..', 'secret.txt'), { policy }), refused('file-root'));
    await assert.rejects(loadUri(pathToFileURL(join(base, 'secret.txt')).href, { policy }), refused('file-root'));
    await assert.rejects(loadUri('file:///etc/passwd', { policy }), refused('file-root'));
    await assert.rejects(loadUri(join(root, 'link.txt'), { policy }), refused('file-root'));
  });

  it('widens with WEFT_URI_FILE_ROOTS (a root, or * for any path)', async () => {
    const wider = executorUriPolicy([root], { WEFT_URI_FILE_ROOTS: base });
    assert.equal((await loadUri(join(base, 'secret.txt'), { policy: wider })).bytes.length, 7);
    assert.equal(executorUriPolicy([root], { WEFT_URI_FILE_ROOTS: '*' }).fileRoots, 'any');
  });
});

describe('URI policy: addresses', () => {
  it('names every non-public form, and lets public ones through', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
    ]) {
      assert.ok(nonPublicReason(a), `${a} is not public`);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
      assert.equal(nonPublicReason(a), undefined, `${a} is public`);
    }
  });
});

describe('URI policy: http(s)', () => {
  let server: Server;
  let port: number;
  const closed: UriPolicy = { fileRoots: 'any', privateNetwork: false };
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` });
        res.end();
      } else if (req.url === '/to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('secret');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());

  it('refuses loopback, private, link-local and unspecified addresses in every spelling', async () => {
    for (const uri of [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://[::]:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'https://192.168.0.1/',
    ]) {
      await assert.rejects(loadUri(uri, { policy: closed, timeoutMs: 5000 }), refused('private-network'), uri);
    }
  });

  it('resolves names first and refuses one that resolves to loopback (localhost)', async () => {
    await assert.rejects(loadUri(`http://localhost:${port}/`, { policy: closed }), refused('private-network'));
  });

  it('checks again after a redirect, and follows no redirect to another scheme', async () => {
    const policy: UriPolicy = { ...closed, allowHosts: ['localhost'] };
    assert.equal((await loadUri(`http://localhost:${port}/ok`, { policy })).bytes.length, 6);
    await assert.rejects(loadUri(`http://localhost:${port}/redirect`, { policy }), refused('private-network'));
    await assert.rejects(loadUri(`http://localhost:${port}/to-file`, { policy }), refused('redirect-scheme'));
  });

  it('allows private networks with WEFT_URI_ALLOW_PRIVATE=1, and by default outside executors', async () => {
    const open = executorUriPolicy([], { WEFT_URI_ALLOW_PRIVATE: '1' });
    assert.equal((await loadUri(`http://127.0.0.1:${port}/`, { policy: open })).bytes.length, 6);
    assert.equal((await loadUri(`http://127.0.0.1:${port}/redirect`)).bytes.length, 6);
  });
});
