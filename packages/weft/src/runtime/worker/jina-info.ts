/**
 * What `JinaInfoRPC/_status` answers: versions and platform under `jina` (Jina's keys where they have a weft
 * meaning) and the runtime-relevant environment variables under `envs` (`(unset)` when absent, like Jina).
 * Values of variables that look like secrets are never sent, only whether they are set.
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

/** Internal variables that carry configuration, not environment: not reported. */
const HIDDEN_ENV_VARS = new Set(['WEFT_WORKER_CONFIG']);
const SECRET = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|(^|_)KEY($|_)/;

let versions: Record<string, string> | undefined;

function packageVersion(file: string): string {
  try {
    return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
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
    out[name] = value === undefined ? '(unset)' : SECRET.test(name) ? '(set)' : value;
  }
  return out;
}

/**
 * The full `JinaInfoProto` content for a runtime; `extra` adds runtime-specific keys to the `jina` map (a weft
 * runtime's `weft-native-address`).
 */
export function jinaInfo(runtimeName: string, extra: Readonly<Record<string, string>> = {}): JinaInfo {
  return {
    jina: {
      ...staticVersions(),
      'runtime-name': runtimeName,
      pid: String(process.pid),
      uptime: STARTED_AT.toISOString(),
      'uptime-seconds': String(Math.round(process.uptime())),
      ...extra,
    },
    envs: runtimeEnvs(),
  };
}
