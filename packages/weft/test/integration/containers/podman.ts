// podman for the container tests: the flags this kind of machine needs (runc; ulimits at or below the hard limits;
// no systemd, so healthchecks are run by hand), whether podman can run here at all, building weft's images, and a
// scope that labels everything it creates (containers, volumes, one network) and removes it all at the end.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { weftVersion } from '../../../src/export/index.js';

const run = promisify(execFile);
const ROOT = new URL('../../../../../', import.meta.url).pathname;
/**
 * crun fails on this kernel's cgroup layout; netavark (with aardvark-dns) is the network stack that resolves
 * network aliases, whatever podman would pick from older state. podman's default nofile (1048576) is above the
 * machine's hard limit, hence the ulimits.
 */
const GLOBAL = ['--runtime', 'runc', '--network-backend', 'netavark'];
export const ULIMITS = ['--ulimit', 'nofile=1024:4096', '--ulimit', 'nproc=1024:4096'];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `podman <args>` to its end; never throws on a non-zero exit (see `ok`). */
export async function podman(args: string[], timeoutMs = 120_000): Promise<Result> {
  try {
    const { stdout, stderr } = await run('podman', [...GLOBAL, ...args], { timeout: timeoutMs, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 127, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** `podman <args>`, its stdout; throws with stderr when it fails. */
export async function ok(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

/** Why podman cannot run containers here (undefined when it can): missing, or `podman info` fails. */
export async function podmanUnusable(): Promise<string | undefined> {
  const r = await podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], 30_000);
  if (r.code === 127) {
    return 'podman is not installed (apt-get install podman runc mmdebstrap iptables netavark aardvark-dns)';
  }
  if (r.code !== 0) return `podman cannot run here: ${r.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

/**
 * Build (or find in podman's layer cache) weft's three images with scripts/containers/build-images.sh; resolves
 * with its output (build time, size and node_modules per image). With WEFT_TEST_IMAGES_BUILT=1 (set by .ci/run,
 * which has just built them) it only checks that they exist: a cached rebuild still costs about a minute.
 */
export async function buildImages(): Promise<string> {
  if (process.env.WEFT_TEST_IMAGES_BUILT === '1') {
    // .ci/run built them from this checkout just before the tests: only check they are there
    for (const image of ['weft-gateway', 'weft-image-encoder', 'weft-vector-indexer']) {
      await ok(['image', 'exists', `${image}:${weftVersion()}`]);
    }
    return 'images built by .ci/run (WEFT_TEST_IMAGES_BUILT=1)';
  }
  const child = spawn('bash', ['scripts/containers/build-images.sh'], {
    cwd: ROOT,
    env: { ...process.env, QUIET: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`scripts/containers/build-images.sh failed (${code}):\n${out.slice(-4000)}`);
  return out;
}

/** Everything one test creates, labelled `weft-test=<id>`, on one network of its own. */
export class PodmanScope {
  readonly id = `weft-test-${randomBytes(4).toString('hex')}`;
  readonly network = this.id;
  private readonly volumes: string[] = [];
  private readonly anonymous: string[] = [];
  private networkMade = false;

  async createNetwork(): Promise<void> {
    await ok(['network', 'create', '--label', `weft-test=${this.id}`, this.network]);
    this.networkMade = true;
  }

  /** A named volume of this scope (`<id>-<name>`). */
  async volume(name: string): Promise<string> {
    const full = `${this.id}-${name}`;
    if (!this.volumes.includes(full)) {
      await ok(['volume', 'create', '--label', `weft-test=${this.id}`, full]);
      this.volumes.push(full);
    }
    return full;
  }

  /** `podman run -d` a container of this scope named `<id>-<name>` on its network; returns its name. */
  async run(name: string, options: string[], image: string, args: string[]): Promise<string> {
    const full = `${this.id}-${name}`;
    await ok([
      'run',
      '--detach',
      '--name',
      full,
      '--label',
      `weft-test=${this.id}`,
      '--no-healthcheck',
      ...ULIMITS,
      ...options,
      image,
      ...args,
    ]);
    return full;
  }

  /**
   * Resolve once `command` succeeds inside the container (its healthcheck or readiness probe, which podman cannot
   * schedule without systemd); rejects with the container's log when it exits first or `timeoutMs` passes.
   */
  async healthy(container: string, command: string[], timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await podman(['exec', container, ...command], 30_000);
      if (r.code === 0) return;
      const state = (await podman(['inspect', '--format', '{{.State.Status}}', container])).stdout.trim();
      if (state !== 'running' || Date.now() > until) {
        const logs = await podman(['logs', '--tail', '40', container]);
        throw new Error(`${container} is not healthy (${state}): ${r.stderr}\n${logs.stdout}${logs.stderr}`);
      }
      await delay(500); // the probe's own period: it runs a command, there is no event to await
    }
  }

  async logs(container: string): Promise<string> {
    const r = await podman(['logs', container]);
    return r.stdout + r.stderr;
  }

  /**
   * Remove the containers (SIGTERM first) with their anonymous volumes (an image's `VOLUME`, which carry no
   * label: remembered here to check they are gone).
   */
  async removeContainers(): Promise<void> {
    const names = await this.labelled('ps', ['--all', '--format', '{{.Names}}']);
    if (names.length === 0) return;
    const mounts = await ok(['inspect', '--format', '{{range .Mounts}}{{.Name}} {{end}}', ...names]);
    for (const v of mounts.split(/\s+/)) if (v !== '' && !this.volumes.includes(v)) this.anonymous.push(v);
    await podman(['rm', '--force', '--volumes', '--time', '10', ...names], 120_000);
  }

  async close(): Promise<void> {
    await this.removeContainers();
    const volumes = await this.labelled('volume', ['ls', '--format', '{{.Name}}']);
    if (volumes.length > 0) await podman(['volume', 'rm', '--force', ...volumes]);
    this.volumes.length = 0;
    if (this.networkMade) await podman(['network', 'rm', '--force', this.network]);
    this.networkMade = false;
  }

  /** What is left of this scope: containers, volumes and networks carrying its label, anonymous volumes it saw. */
  async leftovers(): Promise<string[]> {
    const anonymous: string[] = [];
    for (const v of this.anonymous) if ((await podman(['volume', 'exists', v])).code === 0) anonymous.push(v);
    return [
      ...anonymous,
      ...(await this.labelled('ps', ['--all', '--format', '{{.Names}}'])),
      ...(await this.labelled('volume', ['ls', '--format', '{{.Name}}'])),
      ...(await this.labelled('network', ['ls', '--format', '{{.Name}}'])),
    ];
  }

  private async labelled(command: string, args: string[]): Promise<string[]> {
    const out = await ok([command, ...args, '--filter', `label=weft-test=${this.id}`]);
    return out.split('\n').filter((l) => l.trim() !== '');
  }
}
