/**
 * TLS of a Flow's gateway (`sslCertfile` + `sslKeyfile`, Jina's `ssl_certfile`/`ssl_keyfile`): the files resolved
 * against the Flow's folder (a YAML file's own) and checked before any process starts, and how the Flow's own
 * Client trusts its gateway: Node's bundled CAs plus the certificate itself (so a self-signed one works), and the
 * certificate's own host name when it does not name the address the Client dials (a Flow listening on 0.0.0.0 is
 * dialled at 127.0.0.1).
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { ClientTlsOptions } from '../client/index.js';
import type { FlowOptions } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import { loadServerTls } from '../runtime/gateway/index.js';

export interface FlowTls {
  /** Absolute paths, as the gateway process gets them. */
  certfile: string;
  keyfile: string;
  /** How the Flow's own Client trusts the gateway. */
  client: ClientTlsOptions;
}

/**
 * The Flow's TLS settings, or undefined when it serves plain text; throws `ConfigError` when only one file is given
 * or the files are not a PEM certificate and its key.
 * @example planFlowTls({ sslCertfile: 'cert.pem', sslKeyfile: 'key.pem' }, '/app', '127.0.0.1')
 */
export function planFlowTls(flow: FlowOptions, cwd: string, dialHost: string): FlowTls | undefined {
  if (flow.sslCertfile === undefined && flow.sslKeyfile === undefined) return undefined;
  if (flow.sslCertfile === undefined || flow.sslKeyfile === undefined) {
    throw new ConfigError(
      `the Flow's sslCertfile and sslKeyfile go together (TLS needs the certificate and its private key); got only ${flow.sslCertfile === undefined ? 'sslKeyfile' : 'sslCertfile'}`,
    );
  }
  const certfile = resolve(cwd, flow.sslCertfile);
  const keyfile = resolve(cwd, flow.sslKeyfile);
  const { cert } = loadServerTls(certfile, keyfile);
  const servername = nameToVerify(new X509Certificate(cert), dialHost);
  return {
    certfile,
    keyfile,
    client: { ca: [...rootCertificates, cert.toString('utf8')], ...(servername ? { servername } : {}) },
  };
}

/** A host name the certificate is valid for, when it is not valid for `host` itself (undefined when it is). */
function nameToVerify(cert: X509Certificate, host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  const valid = isIP(bare) ? cert.checkIP(bare) !== undefined : cert.checkHost(bare) !== undefined;
  if (valid) return undefined;
  const dns = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
  const name = dns[0] ?? /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  // a wildcard certificate names every host of its domain: any one of them will do
  return name?.replace(/^\*\./, 'gateway.');
}
