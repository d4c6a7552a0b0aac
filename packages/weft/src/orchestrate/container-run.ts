/**
 * `docker://image` executors run on this machine by a container engine (`container: podman` on a Flow or a
 * Deployment; `weft flow --container podman`). Each replica is one foreground `<engine> run`: the container runs
 * `weft executor --uses config.yml` in the image's working directory — the very command an exported compose file
 * or Kubernetes workload runs (`export/commands.ts`) — and its gRPC port is published on the runtime's address, so
 * the gateway and heads reach it as they reach a worker process. The engine's own configuration applies (e.g.
 * `runtime = "runc"` and `default_ulimits` in containers.conf for podman).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ContainerRequiredError } from '../errors/index.js';

export type ContainerEngine = 'podman' | 'docker';

const IMAGE = 'docker://';
/** The port the executor listens on inside its container (as in an export). */
export const CONTAINER_PORT = 8080;
/** Where a workspace on this machine is mounted inside the container. */
const CONTAINER_WORKSPACE = '/workspace';

/** Whether `uses` names a container image (`docker://image:tag`). */
export function isImageUses(uses: unknown): uses is string {
  return typeof uses === 'string' && uses.startsWith(IMAGE);
}

/** How one runtime's container is started and, whatever happened to that process, removed. */
export interface ContainerLaunch {
  command: string;
  args: string[];
  /** Removes the container if it is still there (a SIGKILLed `run` leaves it running). */
  cleanup: { command: string; args: string[] };
}

export interface ContainerRunInput {
  engine: ContainerEngine;
  /** The executor's `uses` (`docker://image:tag`). */
  uses: string;
  /** The runtime's name (`enc/rep-0`). */
  runtime: string;
  /** Where the runtime is reached on this machine: the published port. */
  host: string;
  port: number;
  usesWith?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  /** A workspace directory on this machine, mounted into the container. */
  workspace?: string;
  cwd: string;
}

/** The `<engine> run …` of one runtime. */
export async function containerLaunch(i: ContainerRunInput): Promise<ContainerLaunch> {
  // the export's own translation of `uses` and its `weft executor` command line: one place for both
  const { containerize, executorArgs } = await import('../export/index.js');
  const c = await containerize(
    { name: i.runtime, uses: i.uses, ...(i.usesWith ? { usesWith: i.usesWith } : {}) },
    { cwd: i.cwd, appDir: '/app', image: '', builtinImages: {}, configPath: 'config.yml' },
  );
  const name = `weft-${process.pid}-${i.runtime.replace(/[^\w.-]+/g, '-')}-${i.port}`;
  const bind = i.host === '0.0.0.0' || i.host === '::' ? i.host : '127.0.0.1';
  const env = Object.entries(i.env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : ['--env', `${k}=${v}`]));
  const volume = i.workspace ? ['--volume', `${resolve(i.cwd, i.workspace)}:${CONTAINER_WORKSPACE}`] : [];
  return {
    command: i.engine,
    args: [
      'run',
      '--rm',
      // weft checks readiness itself (gRPC health), and an image's HEALTHCHECK needs systemd timers under podman
      '--no-healthcheck',
      '--name',
      name,
      '--label',
      `weft.runtime=${i.runtime}`,
      '--publish',
      `${bind}:${i.port}:${CONTAINER_PORT}`,
      ...env,
      ...volume,
      '--entrypoint',
      'weft',
      c.image,
      ...executorArgs(c, {
        name: i.runtime,
        port: CONTAINER_PORT,
        ...(i.workspace ? { workspace: CONTAINER_WORKSPACE } : {}),
      }),
    ],
    cleanup: { command: i.engine, args: ['rm', '--force', '--ignore', name] },
  };
}

/** A `docker://` executor started without `container:`: say how to run it. */
export function containerRequired(
  name: string,
  e: { uses?: unknown; usesBefore?: unknown; usesAfter?: unknown },
): ContainerRequiredError {
  const uses = [e.uses, e.usesBefore, e.usesAfter].find(isImageUses) as string;
  return new ContainerRequiredError(
    `executor '${name}' is the container image ${uses.slice(IMAGE.length)} (uses: ${uses}); weft runs executors as processes unless told which container engine runs images. Run it with podman or docker on this machine: \`weft flow --uses flow.yml --container podman\` (or \`container: podman\` in the Flow's with:); or run the whole Flow in containers: \`weft export docker-compose flow.yml docker-compose.yml\` then \`podman compose up\`, or \`weft export kubernetes flow.yml k8s/\` then \`kubectl apply -f k8s/\``,
    { details: { executor: name, uses } },
  );
}

const answering = new Set<ContainerEngine>();

/** Fail fast, before any process starts, when the engine is not installed or does not answer. */
export function checkContainerEngine(engine: ContainerEngine, executor: string): void {
  if (answering.has(engine)) return;
  const r = spawnSync(engine, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
    throw new ContainerRequiredError(
      `executor '${executor}' runs in a container, but '${engine} version' failed (${why}); install ${engine} (Debian: apt install ${engine}) or export the Flow (weft export docker-compose|kubernetes)`,
      { details: { executor, engine } },
    );
  }
  answering.add(engine);
}
