/**
 * A Flow's internal TLS (`internalTls`): with `true`, a CA and a certificate for the local runtimes are made
 * when the Flow starts and deleted when it closes (`security/internal-certificates.ts`); with
 * `{ certfile, keyfile, cafile }` the given files (resolved against the Flow's folder) are checked before any
 * process starts. Every Deployment then serves TLS with the certificate, and the gateway and heads verify the
 * next hop with the CA, `external` executors included (they must present a certificate that CA signed, for the
 * host they are dialled at). Internal TLS turns the native transport off: every internal hop is gRPC over TLS.
 */
import { resolve } from 'node:path';
import type { FlowOptions } from '../config/index.js';
import { type InternalTlsFiles, internalCredentials, loadInternalServerTls } from '../networking/index.js';
import { makeInternalCertificates } from '../security/index.js';

export interface InternalTlsPlan {
  files: InternalTlsFiles;
  /** Whether the files were made for this Flow (then `remove` deletes them). */
  generated: boolean;
  remove(): Promise<void>;
}

/**
 * The internal TLS files of a Flow, or undefined when its internal hops are plain text; throws `ConfigError`
 * naming a file that cannot be read or a key that is not the certificate's.
 * @example const tls = await planInternalTls(true, '/app'); … await tls?.remove();
 */
export async function planInternalTls(
  option: FlowOptions['internalTls'],
  cwd: string,
): Promise<InternalTlsPlan | undefined> {
  if (option === undefined || option === false) return undefined;
  if (option === true) {
    const made = await makeInternalCertificates();
    const { certfile, keyfile, cafile } = made;
    return { files: { certfile, keyfile, cafile }, generated: true, remove: () => made.remove() };
  }
  const files = {
    certfile: resolve(cwd, option.certfile),
    keyfile: resolve(cwd, option.keyfile),
    cafile: resolve(cwd, option.cafile),
  };
  loadInternalServerTls(files);
  internalCredentials(files.cafile);
  return { files, generated: false, remove: async () => undefined };
}
