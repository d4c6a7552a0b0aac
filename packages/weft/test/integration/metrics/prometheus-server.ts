// Test helper: a real Prometheus (Debian's `prometheus`, installed by .ci/run) scraping given targets every
// second, with a temporary TSDB, on a free loopback port; queries through its HTTP API.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/testing/index.js';

export const PROMETHEUS = process.env.WEFT_PROMETHEUS ?? 'prometheus';

/** Why the tests cannot run here (the binary is missing), or undefined. */
export function prometheusMissing(): string | undefined {
  const r = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return `the Prometheus binary '${PROMETHEUS}' is not installed (apt-get install prometheus; .ci/run installs it)`;
  }
  return undefined;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export class PrometheusServer {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #dir: string;
  #output = '';

  private constructor(url: string, child: ChildProcess, dir: string) {
    this.url = url;
    this.#child = child;
    this.#dir = dir;
    child.stderr?.on('data', (b: Buffer) => {
      this.#output = (this.#output + b.toString()).slice(-4000);
    });
  }

  /** Start scraping `targets` (`host:port`, `/metrics`) every second; resolves once Prometheus is ready. */
  static async start(targets: readonly string[], deadline: number): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'weft-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: weft\n    static_configs:\n      - targets: ${JSON.stringify(targets)}\n`,
    );
    const port = await freePort();
    const child = spawn(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir);
    await server.until(deadline, 'Prometheus to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${server.#output}`);
      const res = await fetch(`${server.url}/-/ready`).catch(() => undefined);
      return res?.ok === true;
    });
    return server;
  }

  /** The instant vector of `expr` (an empty list when it has no data). */
  async query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    if (body.data?.resultType !== 'vector') throw new Error(`query ${expr} is not an instant vector`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Poll `check` (every 200 ms) until it is true; fails at `deadline` (epoch ms) saying what was awaited. */
  async until(deadline: number, what: string, check: () => Promise<boolean>): Promise<void> {
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        if (await check()) return;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((r) => this.#child.once('exit', r));
      this.#child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
