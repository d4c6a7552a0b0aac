#!/usr/bin/env node
// The `weft` executable. Runs the built CLI (dist/cli/main.js) when the package is built; in a source checkout
// without a build it registers tsx plus a resolve hook adding the `weft-source` export condition (so `weft` and
// its subpaths resolve to src/*.ts, as in the repository's own scripts) and runs src/cli/main.ts. Worker and
// gateway processes the CLI forks get the same setup from their entry points.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  const addCondition = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('weft-source') ? context.conditions : [...context.conditions, 'weft-source'];
  return next(specifier, { ...context, conditions });
}`;
  register(`data:text/javascript,${encodeURIComponent(addCondition)}`);
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
