/**
 * TLS material for a Flow's internal hops, made when the Flow starts (`internalTls: true`): a fresh certificate
 * authority (valid a week) that exists only for this Flow, and one certificate it signs for the names runtimes
 * are dialled at (`localhost`, `127.0.0.1`, `::1`), with its private key. Written to a private temporary folder
 * (mode 0700, key 0600) that `remove()` deletes when the Flow closes. The CA's private key is never written, so
 * nothing else can be signed with it. The keys are RSA 2048 made by Node's own crypto; the certificates are
 * laid out with `node-forge` (pure JavaScript, loaded only when a Flow asks for generated material) and signed by
 * Node's crypto.
 */
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface InternalCertificates {
  dir: string;
  /** The runtimes' certificate (PEM), signed by the CA. */
  certfile: string;
  /** Its private key (PEM). */
  keyfile: string;
  /** The CA certificate clients verify the runtimes with. */
  cafile: string;
  remove(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Make a CA and a certificate for `hosts` (default `localhost`, `127.0.0.1`, `::1`) in a new temporary folder.
 * @example const tls = await makeInternalCertificates(); … await tls.remove();
 */
export async function makeInternalCertificates(
  hosts: readonly string[] = ['localhost', '127.0.0.1', '::1'],
): Promise<InternalCertificates> {
  const { default: forge } = await import('node-forge');
  const rsa = (): Promise<{ publicKey: string; privateKey: string }> =>
    promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }) as Promise<{ publicKey: string; privateKey: string }>;
  const [caPair, leafPair] = await Promise.all([rsa(), rsa()]);
  type Cert = ReturnType<typeof forge.pki.createCertificate>;
  // forge lays the certificate out; Node's crypto signs it (forge's own RSA in JavaScript takes ~0.5 s a signature)
  const signWithCa = (cert: Cert): void => {
    const oid = forge.pki.oids.sha256WithRSAEncryption as string;
    cert.signatureOid = oid;
    cert.siginfo.algorithmOid = oid;
    // getTBSCertificate is forge's, missing from its types
    const pki = forge.pki as unknown as { getTBSCertificate(c: Cert): ReturnType<typeof forge.asn1.create> };
    const tbs = Buffer.from(forge.asn1.toDer(pki.getTBSCertificate(cert)).getBytes(), 'binary');
    cert.signature = sign('sha256', tbs, caPair.privateKey).toString('binary');
  };
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + 7 * DAY_MS);
  const certificate = (publicPem: string, subject: string): Cert => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
    // a positive serial: the first byte's top bit cleared
    cert.serialNumber = `0${randomBytes(15).toString('hex')}`;
    cert.validity.notBefore = notBefore;
    cert.validity.notAfter = notAfter;
    cert.setSubject([{ name: 'commonName', value: subject }]);
    return cert;
  };
  const ca = certificate(caPair.publicKey, `weft internal CA ${randomBytes(4).toString('hex')}`);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWithCa(ca);
  const leaf = certificate(leafPair.publicKey, 'weft runtime');
  leaf.setIssuer(ca.subject.attributes);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    // type 7: an IP address, 2: a DNS name
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWithCa(leaf);
  const dir = await mkdtemp(join(tmpdir(), 'weft-internal-tls-'));
  await chmod(dir, 0o700);
  const files = { certfile: join(dir, 'cert.pem'), keyfile: join(dir, 'key.pem'), cafile: join(dir, 'ca.pem') };
  await writeFile(files.certfile, forge.pki.certificateToPem(leaf));
  await writeFile(files.keyfile, leafPair.privateKey, { mode: 0o600 });
  await writeFile(files.cafile, forge.pki.certificateToPem(ca));
  return { dir, ...files, remove: () => rm(dir, { recursive: true, force: true }) };
}
