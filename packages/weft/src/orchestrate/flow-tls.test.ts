import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeSelfSigned, type SelfSigned } from '../../test/fixtures/self-signed.js';
import { parseFlowOptions } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import { planFlowTls } from './flow-tls.js';

let local: SelfSigned;
let other: SelfSigned;

before(async () => {
  local = await makeSelfSigned();
  other = await makeSelfSigned({ commonName: 'shop.example.com', altNames: ['DNS:shop.example.com'] });
});

after(async () => {
  await local?.remove();
  await other?.remove();
});

const plan = (options: Record<string, unknown>, cwd: string, dial = '127.0.0.1') =>
  planFlowTls(parseFlowOptions(options), cwd, dial);

describe('planFlowTls', () => {
  it('is undefined without TLS files', () => {
    assert.equal(plan({}, '/'), undefined);
  });

  it('resolves the files against the Flow’s folder and trusts the certificate itself', () => {
    const tls = plan({ sslCertfile: 'cert.pem', sslKeyfile: 'key.pem' }, local.dir);
    assert.equal(tls?.certfile, local.certfile);
    assert.equal(tls?.keyfile, local.keyfile);
    const ca = tls?.client.ca as string[];
    assert.ok(ca.includes(local.cert.toString('utf8')), 'the certificate is a trust anchor');
    assert.ok(ca.length > 1, "Node's CAs stay trusted (for a certificate a public CA issued)");
    assert.equal(tls?.client.servername, undefined, 'the certificate names 127.0.0.1');
  });

  it('verifies the certificate’s own name when it does not name the address dialled', () => {
    const tls = plan({ sslCertfile: other.certfile, sslKeyfile: other.keyfile }, '/');
    assert.equal(tls?.client.servername, 'shop.example.com');
    assert.equal(
      plan({ sslCertfile: local.certfile, sslKeyfile: local.keyfile }, '/', 'localhost')?.client.servername,
      undefined,
    );
  });

  it('refuses one file without the other, a missing file, and a key of another certificate', async () => {
    assert.throws(
      () => plan({ sslCertfile: local.certfile }, '/'),
      (err: Error) => err instanceof ConfigError && /go together.*only sslCertfile/.test(err.message),
    );
    assert.throws(
      () => plan({ sslCertfile: join(local.dir, 'nope.pem'), sslKeyfile: local.keyfile }, '/'),
      (err: Error) => err instanceof ConfigError && err.message.includes(join(local.dir, 'nope.pem')),
    );
    const mixed = join(other.dir, 'local-key.pem');
    await copyFile(local.keyfile, mixed);
    assert.throws(
      () => plan({ sslCertfile: other.certfile, sslKeyfile: mixed }, '/'),
      (err: Error) =>
        err instanceof ConfigError && /cannot serve TLS with certificate .* and key .*local-key\.pem/.test(err.message),
    );
  });
});
