#!/usr/bin/env node
// Runs every test: unit tests beside the code (packages/*/src/**/*.test.ts) and multi-process tests
// (packages/*/test/**/*.test.ts, test/**/*.test.ts), through Node's own test runner with tsx for TypeScript.
// `npm test -- <substring>` runs only the files whose path contains the substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = [
  ...walk(join(root, 'packages'), []),
  ...walk(join(root, 'test'), []),
  ...walk(join(root, 'examples'), []),
]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const args = ['--conditions=weft-source', '--import', 'tsx', '--test', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, WEFT_TEST: '1' } });
process.exit(r.status ?? 1);
