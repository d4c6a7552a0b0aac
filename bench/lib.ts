/**
 * Shared helpers for benchmarks: timing, percentiles, a readable table, and the machine-readable
 * `target <bench>.<metric> <value> <op> <goal>` lines CI and people read.
 */
import { performance } from 'node:perf_hooks';

export type Op = '<=' | '>=' | '<' | '>';

/** Print one target line (the last lines a benchmark prints). */
export function target(bench: string, metric: string, value: number, op: Op, goal: number): void {
  console.log(`target ${bench}.${metric} ${round(value)} ${op} ${goal}`);
}

/** Print rows as an aligned table. */
export function table(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object);
  const cells = rows.map((r) => cols.map((c) => fmt(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  console.log(`\n${title}`);
  console.log(cols.map((c, i) => c.padEnd(widths[i] as number)).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(row.map((v, i) => v.padEnd(widths[i] as number)).join('  '));
  console.log('');
}

/** Run `fn` `iterations` times after `warmup` runs; returns the per-run times in ms. */
export async function timeRuns(
  fn: () => unknown,
  iterations: number,
  warmup = Math.min(3, iterations),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function fmt(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(round(v));
  return v;
}
