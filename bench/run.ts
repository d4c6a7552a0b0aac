/**
 * Benchmark runner: `npm run bench` runs every `bench/<name>.bench.ts`, `npm run bench -- <name> [<name>…]`
 * only those. Each benchmark runs in its own process; the runner fails only when a benchmark could not run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n=== bench ${name} ===`);
  const r = spawnSync(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', join(here, `${name}.bench.ts`)],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) {
    console.error(`bench ${name} could not run (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
