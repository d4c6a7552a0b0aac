/**
 * Shared helpers for reliability scenarios: the short (CI) switch, goal checks, and the one `RESULT <json>` line
 * each scenario prints last, which the runner collects into `docs/reliability.md`.
 */
export const SHORT = process.env.RELIABILITY_SHORT === '1' || process.argv.includes('--short');

export interface Figure {
  name: string;
  value: number | string;
  /** A goal the value must meet, e.g. `= 0`; absent for figures that are only reported. */
  goal?: string;
  ok?: boolean;
}

export interface ScenarioResult {
  scenario: string;
  short: boolean;
  figures: Figure[];
}

/** A figure with a goal: `op` compares the value with `goal`. */
export function goal(name: string, value: number, op: '=' | '<=' | '>=', target: number): Figure {
  const ok = op === '=' ? value === target : op === '<=' ? value <= target : value >= target;
  return { name, value, goal: `${op} ${target}`, ok };
}

export function figure(name: string, value: number | string): Figure {
  return { name, value };
}

/** Print the figures and the RESULT line; exit 1 when a goal is missed. */
export function report(scenario: string, figures: Figure[]): never {
  for (const f of figures) {
    const mark = f.goal === undefined ? '' : ` (goal ${f.goal}: ${f.ok ? 'met' : 'MISSED'})`;
    console.log(`  ${f.name}: ${f.value}${mark}`);
  }
  const result: ScenarioResult = { scenario, short: SHORT, figures };
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(figures.some((f) => f.ok === false) ? 1 : 0);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
