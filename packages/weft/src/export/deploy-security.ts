/**
 * What an export carries of a Flow's `auth` and `internal_tls`, the same way for Kubernetes and docker-compose:
 * the gateway reads its token(s) from an environment variable that the deployment fills from a secret (a
 * Kubernetes Secret, or compose's own environment at `up` time), so no token value is ever written into an
 * exported file; internal TLS material (certificate, key, CA) is mounted from a secret into every runtime, and
 * each `weft executor` / `weft head` / `weft gateway` command is told where it lies.
 */
import { AUTH_TOKEN_ENV } from '../security/index.js';

/** The Kubernetes Secret holding the gateway's token(s), comma-separated under `tokens`. */
export const AUTH_SECRET = { name: 'weft-auth', key: 'tokens' } as const;
/**
 * The Kubernetes Secret with the internal TLS material, under the keys cert-manager writes (`tls.crt`, `tls.key`,
 * `ca.crt`), mounted at `TLS_DIR`.
 */
export const TLS_SECRET = { name: 'weft-internal-tls', cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;
export const TLS_DIR = '/weft/tls';
/** The compose secrets (files beside the compose file, `./tls/…`), mounted under /run/secrets/. */
export const COMPOSE_TLS_SECRETS = {
  cert: { name: 'weft-tls-cert', file: './tls/tls.crt' },
  key: { name: 'weft-tls-key', file: './tls/tls.key' },
  ca: { name: 'weft-tls-ca', file: './tls/ca.crt' },
} as const;

/** The PEM files a runtime is given with `--internal-tls`. */
export interface TlsFiles {
  certfile: string;
  keyfile: string;
  cafile: string;
}

/** Where the files lie in a Kubernetes pod, and in a compose container. */
export const K8S_TLS_FILES: TlsFiles = {
  certfile: `${TLS_DIR}/${TLS_SECRET.cert}`,
  keyfile: `${TLS_DIR}/${TLS_SECRET.key}`,
  cafile: `${TLS_DIR}/${TLS_SECRET.ca}`,
};
export const COMPOSE_TLS_FILES: TlsFiles = {
  certfile: `/run/secrets/${COMPOSE_TLS_SECRETS.cert.name}`,
  keyfile: `/run/secrets/${COMPOSE_TLS_SECRETS.key.name}`,
  cafile: `/run/secrets/${COMPOSE_TLS_SECRETS.ca.name}`,
};

/** The gateway's auth as an export lays it out: the variable it reads its token(s) from. */
export interface PlannedAuth {
  tokenEnv: string;
}

/** Undefined without `auth`; otherwise the variable named by `auth.token_env` (default `WEFT_AUTH_TOKEN`). */
export function planAuth(auth: { tokenEnv?: string } | undefined): PlannedAuth | undefined {
  return auth === undefined ? undefined : { tokenEnv: auth.tokenEnv ?? AUTH_TOKEN_ENV };
}

/** `--auth '{"token_env":…}'`: the gateway refuses to start when the variable is empty, never serving openly. */
export function authArgs(auth: PlannedAuth | undefined): string[] {
  return auth ? ['--auth', JSON.stringify({ token_env: auth.tokenEnv })] : [];
}

/** `--internal-tls '{…}'` (the gateway only needs the CA). */
export function internalTlsArgs(files: TlsFiles | undefined, role: 'runtime' | 'gateway'): string[] {
  if (!files) return [];
  return ['--internal-tls', JSON.stringify(role === 'gateway' ? { cafile: files.cafile } : files)];
}

/**
 * A runtime serving TLS cannot be probed with `weft ping` (which dials plain gRPC): a TCP connect to its port,
 * with Node (in every weft image), is the health check instead.
 */
export function tcpCheck(port: number): string[] {
  return [
    'node',
    '-e',
    `require('node:net').connect(${port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`,
  ];
}
