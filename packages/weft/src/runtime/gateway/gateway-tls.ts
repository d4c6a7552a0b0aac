/**
 * The gateway's TLS material (Jina's `ssl_certfile` + `ssl_keyfile`): a PEM certificate (or chain, leaf first) and
 * its private key, read once when the gateway starts and checked to belong together, so a wrong path or a key of
 * another certificate fails the start naming the file instead of failing every client's handshake later. Every
 * protocol of the gateway serves TLS with it; the gateway's own hops to executors are TLS only with a Flow's
 * `internalTls` (`networking/internal-tls.ts`).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../../errors/index.js';

/** What a protocol server needs to serve TLS. */
export interface ServerTls {
  /** PEM certificate chain, leaf first. */
  cert: Buffer;
  /** PEM private key of the leaf certificate. */
  key: Buffer;
}

/**
 * Read and check the certificate and key files; throws `ConfigError` naming the file that cannot be read, or both
 * when they are not a PEM certificate and its key.
 * @example const tls = loadServerTls('/etc/weft/cert.pem', '/etc/weft/key.pem')
 */
export function loadServerTls(certfile: string, keyfile: string): ServerTls {
  const cert = readPem(certfile, 'sslCertfile', 'certificate');
  const key = readPem(keyfile, 'sslKeyfile', 'private key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(
      `the gateway cannot serve TLS with certificate ${certfile} and key ${keyfile}: ${(err as Error).message} (both must be PEM, the key the certificate's own)`,
      { cause: err, details: { sslCertfile: certfile, sslKeyfile: keyfile } },
    );
  }
  return { cert, key };
}

function readPem(file: string, option: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${option}: cannot read the TLS ${what} ${file}: ${(err as Error).message}`, {
      cause: err,
      details: { [option]: file },
    });
  }
}
