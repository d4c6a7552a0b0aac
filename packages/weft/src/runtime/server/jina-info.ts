/**
 * What `JinaInfoRPC/_status` (and the gateway's HTTP/WebSocket `GET /status`) answers, the same for every runtime
 * kind: versions and platform under `jina` (Jina's keys where they have a weft meaning, plus the runtime's name)
 * and the runtime-relevant environment variables under `envs` (`(unset)` when absent, like Jina).
 *
 * The weft version is the package's own, read once from `packages/weft/package.json`. The value of any variable
 * whose name looks like a secret (it contains TOKEN, SECRET, KEY, PASSWORD, PASSWD, CREDENTIAL or AUTH, in any
 * case) is never sent, only that it is set; the configuration variables of the runtime processes are left out.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, release } from 'node:os';
import { resolve } from 'node:path';
import type { JinaInfo } from '../../request/index.js';
import { PACKAGE_ROOT } from './proto-files.js';

const STARTED_AT = new Date(Date.now() - process.uptime() * 1000);

/** Environment variables always listed (`(unset)` when absent); any other WEFT_* / JINA_* that is set is listed too. */
export const KNOWN_ENV_VARS = [
  'WEFT_WORKSPACE',
  'JINA_DEFAULT_HOST',
  'JINA_DEFAULT_TIMEOUT_CTRL',
  'JINA_DEPLOYMENT_NAME',
  'JINA_GRPC_RECV_BYTES',
  'JINA_GRPC_SEND_BYTES',
  'JINA_LOG_CONFIG',
  'JINA_LOG_LEVEL',
  'JINA_LOG_NO_COLOR',
  'JINA_RANDOM_PORT_MAX',
  'JINA_RANDOM_PORT_MIN',
] as const;

/** The runtime processes' configuration (not environment; it may name files and addresses): not reported. */
const HIDDEN_ENV_VARS = new Set(['WEFT_WORKER_CONFIG', 'WEFT_HEAD_CONFIG', 'WEFT_GATEWAY_CONFIG']);
const SECRET = /TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;
/** What a secret's value is reported as. */
export const MASKED = '(set)';

/** Whether an environment variable's name looks like it holds a secret (its value is then masked). */
export function isSecretName(name: string): boolean {
  return SECRET.test(name);
}

let versions: Record<string, string> | undefined;

function packageVersion(file: string): string {
  try {
    return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** The version of the weft package (its package.json's, read once). */
export function weftVersion(): string {
  return staticVersions().weft as string;
}

function staticVersions(): Record<string, string> {
  if (versions) return versions;
  const require = createRequire(import.meta.url);
  let grpcJs = 'unknown';
  try {
    grpcJs = packageVersion(require.resolve('@grpc/grpc-js/package.json'));
  } catch {}
  versions = {
    weft: packageVersion(resolve(PACKAGE_ROOT, 'package.json')),
    'proto-backend': 'weft',
    'grpc-js': grpcJs,
    node: process.versions.node,
    v8: process.versions.v8,
    platform: process.platform,
    'platform-release': release(),
    architecture: arch(),
  };
  return versions;
}

/** The environment section: known variables plus every WEFT_* / JINA_* that is set; secrets masked. */
export function runtimeEnvs(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const names = new Set<string>(KNOWN_ENV_VARS);
  for (const name of Object.keys(env)) if (/^(WEFT|JINA)_/.test(name)) names.add(name);
  for (const name of [...names].sort()) {
    if (HIDDEN_ENV_VARS.has(name)) continue;
    const value = env[name];
    out[name] = value === undefined ? '(unset)' : isSecretName(name) ? MASKED : value;
  }
  return out;
}

/**
 * The full `JinaInfoProto` content for a runtime named `runtimeName` (`encoder/rep-0`, `encoder/head`,
 * `gateway`), under both `runtime-name` and `runtime`; `extra` adds runtime-specific keys to the `jina` map (a
 * weft runtime's `weft-native-address`).
 * @example jinaInfo('encoder/rep-0').jina.weft // '0.4.0', the package's version
 */
export function jinaInfo(runtimeName: string, extra: Readonly<Record<string, string>> = {}): JinaInfo {
  return {
    jina: {
      ...staticVersions(),
      'runtime-name': runtimeName,
      runtime: runtimeName,
      pid: String(process.pid),
      uptime: STARTED_AT.toISOString(),
      'uptime-seconds': String(Math.round(process.uptime())),
      ...extra,
    },
    envs: runtimeEnvs(),
  };
}
