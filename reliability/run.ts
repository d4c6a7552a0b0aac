/**
 * Reliability runner: `npm run reliability` runs every `reliability/<name>.scenario.ts`, `npm run reliability --
 * <name> […]` only those; `--short` (or RELIABILITY_SHORT=1) runs the short CI versions. Each scenario runs in its
 * own process, bounded by a time limit, and fails the run when it misses a goal. A full run rewrites
 * `docs/reliability.md` with the figures and the machine they ran on; a run of named scenarios replaces only their
 * rows.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.scenario.ts'))
  .map((f) => f.replace(/\.scenario\.ts$/, ''))
  .sort();
const args = process.argv.slice(2);
const short = args.includes('--short') || process.env.RELIABILITY_SHORT === '1';
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
// full: the soak's 10 minutes of traffic come after its start-up and indexing
const LIMIT_MS = short ? 120_000 : 900_000;
const results: ScenarioResult[] = [];
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n=== reliability ${name}${short ? ' (short)' : ''} ===`);
  const r = spawnSync(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', join(here, `${name}.scenario.ts`)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, RELIABILITY_SHORT: short ? '1' : '0' },
      timeout: LIMIT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 << 20,
    },
  );
  const out = r.stdout?.toString() ?? '';
  process.stdout.write(out.replace(/^RESULT .*\n?/m, ''));
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (line) results.push(JSON.parse(line.slice(7)) as ScenarioResult);
  if (r.status !== 0) {
    console.error(`scenario ${name} ${line ? 'missed a goal' : 'could not run'} (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
// a full run rewrites the table; a run of named scenarios replaces only their rows
if (!short) writeDoc(results, wanted.length > 0);
process.exit(failed > 0 ? 1 : 0);

function writeDoc(fresh: ScenarioResult[], merge: boolean): void {
  const rs = merge ? [...keptRows(fresh), ...fresh].sort((a, b) => (a.scenario < b.scenario ? -1 : 1)) : fresh;
  const cpu = cpus();
  const lines = [
    '# Reliability figures',
    '',
    'Written by `npm run reliability` (do not edit by hand). Each scenario injects faults into real processes on',
    'loopback and checks its goals; `npm run reliability -- <scenario>` runs one, `--short` the CI versions.',
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB memory, node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| scenario | figure | value | goal |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of rs) {
    for (const f of r.figures) {
      const g = f.goal === undefined ? '' : `${f.goal} (${f.ok ? 'met' : 'missed'})`;
      lines.push(`| ${r.scenario} | ${f.name} | ${f.value} | ${g} |`);
    }
  }
  writeFileSync(join(here, '..', 'docs', 'reliability.md'), `${lines.join('\n')}\n`);
  console.log('\nwrote docs/reliability.md');
}

/** The rows of `docs/reliability.md` of scenarios not in `fresh`, as results (their figures kept as written). */
function keptRows(fresh: readonly ScenarioResult[]): ScenarioResult[] {
  let text = '';
  try {
    text = readFileSync(join(here, '..', 'docs', 'reliability.md'), 'utf8');
  } catch {
    return [];
  }
  const names = new Set(fresh.map((r) => r.scenario));
  const kept = new Map<string, ScenarioResult>();
  for (const line of text.split('\n')) {
    const m = /^\| ([^|]+) \| ([^|]+) \| ([^|]*) \| ([^|]*) \|$/.exec(line);
    if (!m || m[1] === 'scenario' || m[1]?.startsWith('---')) continue;
    const [scenario, name, value, goalText] = [m[1], m[2], m[3], m[4]].map((x) => (x as string).trim()) as string[];
    if (names.has(scenario as string)) continue;
    const r = kept.get(scenario as string) ?? { scenario: scenario as string, short: false, figures: [] };
    const g = /^(.*) \((met|missed)\)$/.exec(goalText as string);
    r.figures.push(
      g
        ? { name: name as string, value: value as string, goal: g[1] as string, ok: g[2] === 'met' }
        : { name: name as string, value: value as string },
    );
    kept.set(scenario as string, r);
  }
  return [...kept.values()];
}
