/**
 * TLS on weft's internal hops (gateway → head → worker, and towards `external` executors): the PEM files a
 * runtime serves with (`certfile` + `keyfile`) and the CA its clients verify the next runtime with (`cafile`).
 * A runtime serving TLS serves no native port: the native transport is plain TCP, so with internal TLS every hop
 * is gRPC over TLS. Files are read once when a runtime starts; one that cannot be read, or a key that is not the
 * certificate's, fails the start naming the file.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { type ChannelCredentials, credentials } from '@grpc/grpc-js';
import { ConfigError } from '../errors/index.js';

/** Where a runtime's internal TLS material is (absolute paths, as a Flow hands them to its processes). */
export interface InternalTlsFiles {
  certfile: string;
  keyfile: string;
  /** The CA that signed the runtimes' certificates (clients verify with it). */
  cafile: string;
}

/**
 * The certificate and key a runtime serves with, checked to belong together.
 * @example new RuntimeServer({ kind: 'worker', name, tls: loadInternalServerTls(files) }, calls)
 */
export function loadInternalServerTls(files: Pick<InternalTlsFiles, 'certfile' | 'keyfile'>): {
  cert: Buffer;
  key: Buffer;
} {
  const cert = readPem(files.certfile, 'certfile');
  const key = readPem(files.keyfile, 'keyfile');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(
      `internalTls: cannot serve TLS with certificate ${files.certfile} and key ${files.keyfile}: ${(err as Error).message}`,
      { cause: err, details: { certfile: files.certfile, keyfile: files.keyfile } },
    );
  }
  return { cert, key };
}

/**
 * Channel credentials that speak TLS and trust only the CA in `cafile` (and verify the name dialled).
 * @example new ConnectionPool({ name: 'enc', addresses, credentials: internalCredentials('/run/weft/ca.pem') })
 */
export function internalCredentials(cafile: string): ChannelCredentials {
  return credentials.createSsl(readPem(cafile, 'cafile'));
}

function readPem(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`internalTls.${option}: cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
      details: { [option]: file },
    });
  }
}
