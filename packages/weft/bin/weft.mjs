#!/usr/bin/env node
// The `weft` executable. Which code it runs is decided explicitly, never by whether a build happens to exist:
//   - an installed package (it ships dist/ and no src/) runs the build, dist/cli/main.js;
//   - a source checkout (src/ beside bin/) runs the sources: it registers tsx plus a resolve hook adding the
//     `weft-source` export condition (so `weft` and its subpaths resolve to src/*.ts, as in the repository's own
//     scripts) and runs src/cli/main.ts, so a stale dist/ can never shadow the code being edited;
//   - WEFT_USE_DIST=1 runs the build from a checkout too (to try the build as users get it).
// Either way TypeScript executors (`uses: ./my-executor.ts#MyExec`) load: the build registers tsx the first time
// a .ts module is named (executor/typescript-loader.ts). Worker and gateway processes the CLI forks get the same
// setup from their entry points.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
const sources = new URL('../src/cli/main.ts', import.meta.url);
const useDist = process.env.WEFT_USE_DIST === '1' || !existsSync(fileURLToPath(sources));

if (useDist) {
  if (!existsSync(fileURLToPath(built))) {
    process.stderr.write(`weft: ${fileURLToPath(built)} is missing: build the package first (npm run build)\n`);
    process.exit(1);
  }
  await import(built.href);
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  const addCondition = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('weft-source') ? context.conditions : [...context.conditions, 'weft-source'];
  return next(specifier, { ...context, conditions });
}`;
  register(`data:text/javascript,${encodeURIComponent(addCondition)}`);
  await import(sources.href);
}
