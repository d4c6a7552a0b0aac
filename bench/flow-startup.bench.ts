/**
 * Flow start-up: the time from `new Flow(...).start()` until it is ready, for a Flow of 10 no-op executors (10 worker
 * processes and the gateway), beside starting 10 bare `node` processes at once that each open a port and report
 * ready over IPC (the floor of starting runtime processes on this machine); then the idle resident memory of the
 * whole Flow (VmRSS summed over the gateway and every worker) beside as many bare node processes; then where one
 * runtime process's start goes, per runtime kind (worker, gateway, head), from the StartupTimings it reports with
 * `ready`: node's bootstrap, loading weft's modules, decoding its configuration, logging and telemetry set-up, its own phases, and its CPU time
 * (the number to compare on a busy machine).
 * The Flow runs from a JavaScript build of weft (what an installed package runs), driven by a plain-node probe
 * process, in both layouts of packages/weft/scripts/build.mjs (built into .cache/ when the sources changed): the
 * esbuild bundle with code splitting that `npm run build` ships, and tsc's per-file output; one more round runs it
 * from the TypeScript sources through tsx (how the repository's tests and examples run) for comparison. Rounds
 * alternate between the layouts and the baseline so drift on a busy machine hits each alike.
 * Prints tables and `target flow-startup.time_ratio` (Flow start / bare start, medians, the bundle) and `.rss_ratio`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Flow } from '../packages/weft/src/orchestrate/index.js';
import { forkBareNode, readyPort, rssKb, stopChild } from './fixtures/flow-bench-lib.js';
import { type RuntimeKind, type StartSample, startBare, startRuntime } from './fixtures/runtime-start.js';
import { type BuildLayout, ensureBuild } from './fixtures/weft-build.js';
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

const LAYOUTS: readonly BuildLayout[] = ['bundle', 'files'];
const dirs = new Map(LAYOUTS.map((l) => [l, ensureBuild(l)]));
const probes = new Map(LAYOUTS.map((l) => [l, new BuildProbe(dirs.get(l) as string)]));
type Runs = { ms: number[]; rss: number[] };
const runs = new Map<BuildLayout | 'bare', Runs>(
  [...LAYOUTS, 'bare' as const].map((k) => [k, { ms: [], rss: [] }] as [BuildLayout | 'bare', Runs]),
);
const run = (k: BuildLayout | 'bare') => runs.get(k) as Runs;
let processes = EXECUTORS + 1;
try {
  for (const probe of probes.values()) {
    await probe.ready;
    // a first, unmeasured start warms the disk caches
    await probe.start(2);
    await probe.close();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const layout of round % 2 ? [...LAYOUTS].reverse() : LAYOUTS) {
      const probe = probes.get(layout) as BuildProbe;
      const started = await probe.start(EXECUTORS);
      processes = started.pids.length;
      await delay(SETTLE_MS);
      run(layout).ms.push(started.ms);
      run(layout).rss.push(sumRss(started.pids));
      await probe.post();
      await probe.close();
    }
    const bare = await bareRound(processes);
    run('bare').ms.push(bare.ms);
    run('bare').rss.push(bare.rss);
  }
} finally {
  await Promise.all([...probes.values()].map((p) => p.stop()));
}

// one runtime process at a time, per kind and layout, alternating, beside a bare node process
const KINDS: readonly RuntimeKind[] = ['worker', 'gateway', 'head'];
const SINGLE_ROUNDS = 5;
const singles = new Map<string, StartSample[]>();
const record = (key: string, s: StartSample) => singles.set(key, [...(singles.get(key) ?? []), s]);
for (const kind of KINDS) for (const layout of LAYOUTS) await startRuntime(kind, dirs.get(layout) as string); // warm
for (let round = 0; round < SINGLE_ROUNDS; round++) {
  record('bare', await startBare());
  for (const kind of KINDS) {
    for (const layout of round % 2 ? [...LAYOUTS].reverse() : LAYOUTS) {
      record(`${kind} ${layout}`, await startRuntime(kind, dirs.get(layout) as string));
    }
  }
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
const LABEL: Record<BuildLayout, string> = { bundle: 'the bundle (npm run build)', files: 'the per-file tsc build' };
table(`flow-startup (a): ready time, ${EXECUTORS} executors (median of ${ROUNDS})`, [
  {
    impl: `${EXECUTORS} bare node processes, port + IPC ready`,
    'median ms': median(run('bare').ms),
    runs: ms(run('bare').ms),
  },
  ...LAYOUTS.map((l) => ({
    impl: `weft Flow from ${LABEL[l]} (plain node)`,
    'median ms': median(run(l).ms),
    runs: ms(run(l).ms),
  })),
  { impl: 'weft Flow from the sources (tsx), 1 run', 'median ms': sourceMs, runs: ms([sourceMs]) },
]);
const mb = (kb: number) => kb / 1024;
table(`flow-startup (b): idle resident memory of ${processes} processes (VmRSS, median of ${ROUNDS})`, [
  {
    impl: `${processes} bare node processes`,
    'total MB': mb(median(run('bare').rss)),
    'per process MB': mb(median(run('bare').rss)) / processes,
  },
  ...LAYOUTS.map((l) => ({
    impl: `weft Flow from ${LABEL[l]}`,
    'total MB': mb(median(run(l).rss)),
    'per process MB': mb(median(run(l).rss)) / processes,
  })),
  { impl: 'weft Flow from the sources (tsx)', 'total MB': mb(sourceRss), 'per process MB': mb(sourceRss) / processes },
]);
const PHASES = ['node', 'imports', 'config', 'telemetry', 'load executor', 'construct', 'bind'];
table(`flow-startup (c): one runtime process's start, by phase (ms, medians of ${SINGLE_ROUNDS}; cpu = user+system)`, [
  ...['bare', ...KINDS.flatMap((k) => LAYOUTS.map((l) => `${k} ${l}`))].map((key) => {
    const samples = singles.get(key) ?? [];
    const phase = (p: string) => {
      const v = samples.map((s) => s.phases[p]).filter((x): x is number => x !== undefined);
      return v.length > 0 ? median(v) : '-';
    };
    return {
      runtime: key === 'bare' ? 'bare node (port + IPC)' : key,
      'fork→ready ms': median(samples.map((s) => s.wallMs)),
      'cpu ms': median(samples.map((s) => s.cpuMs)),
      ...Object.fromEntries(PHASES.map((p) => [p, phase(p)])),
    };
  }),
]);
const bareCpu = median((singles.get('bare') ?? []).map((s) => s.cpuMs));
console.log(
  `one worker's CPU at ready: bundle ${median((singles.get('worker bundle') ?? []).map((s) => s.cpuMs)).toFixed(1)} ms, ` +
    `per-file ${median((singles.get('worker files') ?? []).map((s) => s.cpuMs)).toFixed(1)} ms, bare node ${bareCpu.toFixed(1)} ms`,
);
console.log(
  `from the sources (tsx): time ratio ${(sourceMs / median(run('bare').ms)).toFixed(2)}, ` +
    `rss ratio ${(sourceRss / median(run('bare').rss)).toFixed(2)}; per-file build: time ratio ` +
    `${(median(run('files').ms) / median(run('bare').ms)).toFixed(2)} (informational; the targets use the bundle)`,
);
target('flow-startup', 'time_ratio', median(run('bundle').ms) / median(run('bare').ms), '<=', 2.0);
target('flow-startup', 'rss_ratio', median(run('bundle').rss) / median(run('bare').rss), '<=', 2.5);
