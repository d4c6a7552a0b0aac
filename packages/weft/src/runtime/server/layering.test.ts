// The runtimes share the server kit, not each other: nothing under runtime/head/ or runtime/gateway/ may import
// from runtime/worker/ (statically, dynamically, or re-exporting).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const RUNTIME = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.[cm]?tsx?$/.test(e.name) ? [path] : [];
  });
}

/** The imports of `source` (a file at `file`) that resolve into `forbidden`. */
function importsInto(file: string, source: string, forbidden: string): string[] {
  const found: string[] = [];
  for (const [, specifier] of source.matchAll(SPECIFIER)) {
    if (!specifier?.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier);
    if (target === forbidden || target.startsWith(forbidden + sep)) found.push(specifier);
  }
  return found;
}

describe('runtime layering', () => {
  const worker = join(RUNTIME, 'worker');

  it('finds a forbidden import when there is one (the check can fail)', () => {
    const file = join(RUNTIME, 'head', 'x.ts');
    const source = [
      "import { a } from '../server/index.js';",
      "import { b } from '../worker/index.js';",
      "export { c } from '../worker/worker-entry.js';",
      "const d = await import('../worker/index.js');",
      "import '../worker/side-effect.js';",
    ].join('\n');
    assert.deepEqual(importsInto(file, source, worker), [
      '../worker/index.js',
      '../worker/worker-entry.js',
      '../worker/index.js',
      '../worker/side-effect.js',
    ]);
  });

  it('nothing in runtime/head/ or runtime/gateway/ imports from runtime/worker/', () => {
    const offenders: string[] = [];
    for (const folder of ['head', 'gateway']) {
      const files = sourceFiles(join(RUNTIME, folder));
      assert.ok(files.length > 0, `no sources found under runtime/${folder}`);
      for (const file of files) {
        for (const specifier of importsInto(file, readFileSync(file, 'utf8'), worker)) {
          offenders.push(`${relative(RUNTIME, file)} imports '${specifier}'`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
