/**
 * Flow start-up: the time from `new Flow(...).start()` until it is ready, for a Flow of 10 no-op executors (10 worker
 * processes and the gateway), beside starting 10 bare `node` processes at once that each open a port and report
 * ready over IPC (the floor of starting runtime processes on this machine); then the idle resident memory of the
 * whole Flow (VmRSS summed over the gateway and every worker) beside as many bare node processes.
 * The Flow runs from a JavaScript build of weft (what an installed package runs; built with tsc into
 * .cache/bench-build when the sources changed), driven by a plain-node probe process; one more round runs it from
 * the TypeScript sources through tsx (how the repository's tests and examples run) for comparison. Rounds
 * alternate between weft and the baseline so drift on a busy machine hits both alike.
 * Prints tables and `target flow-startup.time_ratio` (Flow start / bare start, medians, build) and `.rss_ratio`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Flow } from '../packages/weft/src/orchestrate/index.js';
import { forkBareNode, readyPort, rssKb, stopChild } from './fixtures/flow-bench-lib.js';
import { ensureBuild } from './fixtures/weft-build.js';
import { NoOp } from './fixtures/worker-executors.js';
import { median, table, target } from './lib.js';

const EXECUTORS = 10;
const ROUNDS = 3;
/** How long processes sit idle before their memory is read (start-up garbage collected, caches settled). */
const SETTLE_MS = 2000;

type Probe = { ms: number; pids: number[] };
const sumRss = (pids: readonly (number | undefined)[]) =>
  pids.reduce<number>((s, p) => s + (rssKb(p) ?? Number.NaN), 0);

/** The plain-node probe driving a Flow of the build (see fixtures/flow-startup-probe.mjs). */
class BuildProbe {
  readonly #child: ChildProcess;
  readonly ready: Promise<void>;

  constructor(buildDir: string) {
    const file = fileURLToPath(new URL('./fixtures/flow-startup-probe.mjs', import.meta.url));
    // no tsx, no weft-source condition: the Flow and every process it forks run the build
    this.#child = fork(file, [buildDir], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = this.#next('ready').then(() => undefined);
  }

  async start(n: number): Promise<Probe> {
    this.#child.send({ start: n });
    return (await this.#next('started')) as unknown as Probe;
  }

  async post(): Promise<void> {
    this.#child.send({ post: true });
    if ((await this.#next('posted')).text !== 'up?') throw new Error('the Flow answered something unexpected');
  }

  async close(): Promise<void> {
    this.#child.send({ close: true });
    await this.#next('closed');
  }

  stop(): Promise<void> {
    return stopChild(this.#child);
  }

  #next(type: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the probe exited (${code}) waiting for '${type}'`));
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        resolve(m);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
    });
  }
}

/** Start 10 bare processes at once (timed), then as many more as the Flow has processes; their idle RSS. */
async function bareRound(processes: number): Promise<{ ms: number; rss: number }> {
  const t0 = performance.now();
  const children: ChildProcess[] = Array.from({ length: EXECUTORS }, () => forkBareNode());
  await Promise.all(children.map((c) => readyPort(c, 'bare node')));
  const ms = performance.now() - t0;
  const more = Array.from({ length: processes - EXECUTORS }, () => forkBareNode());
  await Promise.all(more.map((c) => readyPort(c, 'bare node')));
  await delay(SETTLE_MS);
  const rss = sumRss([...children, ...more].map((c) => c.pid));
  await Promise.all([...children, ...more].map(stopChild));
  return { ms, rss };
}

const buildDir = ensureBuild();
const probe = new BuildProbe(buildDir);
const runs = { build: { ms: [] as number[], rss: [] as number[] }, bare: { ms: [] as number[], rss: [] as number[] } };
let processes = EXECUTORS + 1;
try {
  await probe.ready;
  // a first, unmeasured start warms the disk caches
  await probe.start(2);
  await probe.close();
  for (let round = 0; round < ROUNDS; round++) {
    const started = await probe.start(EXECUTORS);
    processes = started.pids.length;
    await delay(SETTLE_MS);
    runs.build.ms.push(started.ms);
    runs.build.rss.push(sumRss(started.pids));
    await probe.post();
    await probe.close();
    const bare = await bareRound(processes);
    runs.bare.ms.push(bare.ms);
    runs.bare.rss.push(bare.rss);
  }
} finally {
  await probe.stop();
}

// once more from the TypeScript sources, through tsx (its transform cache warmed by an unmeasured start)
const sourceFlow = (n: number) => {
  const flow = new Flow({ host: '127.0.0.1' });
  for (let i = 0; i < n; i++) flow.add({ name: `noop${i}`, uses: NoOp, needs: 'gateway' });
  return flow;
};
await (await sourceFlow(2).start()).close();
const s0 = performance.now();
const fromSources = await sourceFlow(EXECUTORS).start();
const sourceMs = performance.now() - s0;
await delay(SETTLE_MS);
const sourceRss = sumRss(fromSources.pids());
await fromSources.close();

const ms = (v: number[]) => v.map((x) => Math.round(x)).join(' / ');
table(`flow-startup (a): ready time, ${EXECUTORS} executors (median of ${ROUNDS})`, [
  {
    impl: `${EXECUTORS} bare node processes, port + IPC ready`,
    'median ms': median(runs.bare.ms),
    runs: ms(runs.bare.ms),
  },
  { impl: 'weft Flow from the build (plain node)', 'median ms': median(runs.build.ms), runs: ms(runs.build.ms) },
  { impl: 'weft Flow from the sources (tsx), 1 run', 'median ms': sourceMs, runs: ms([sourceMs]) },
]);
const mb = (kb: number) => kb / 1024;
table(`flow-startup (b): idle resident memory of ${processes} processes (VmRSS, median of ${ROUNDS})`, [
  {
    impl: `${processes} bare node processes`,
    'total MB': mb(median(runs.bare.rss)),
    'per process MB': mb(median(runs.bare.rss)) / processes,
  },
  {
    impl: 'weft Flow from the build',
    'total MB': mb(median(runs.build.rss)),
    'per process MB': mb(median(runs.build.rss)) / processes,
  },
  { impl: 'weft Flow from the sources (tsx)', 'total MB': mb(sourceRss), 'per process MB': mb(sourceRss) / processes },
]);
console.log(
  `from the sources (tsx): time ratio ${(sourceMs / median(runs.bare.ms)).toFixed(2)}, ` +
    `rss ratio ${(sourceRss / median(runs.bare.rss)).toFixed(2)} (informational; the targets use the build)`,
);
target('flow-startup', 'time_ratio', median(runs.build.ms) / median(runs.bare.ms), '<=', 2.0);
target('flow-startup', 'rss_ratio', median(runs.build.rss) / median(runs.bare.rss), '<=', 2.5);
