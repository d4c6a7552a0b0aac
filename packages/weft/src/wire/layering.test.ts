// The wire layer is the lowest one: besides its own files it may import only errors/ and Node built-ins.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const ALLOWED = [/^\.\/[a-z-]+\.js$/, /^\.\.\/errors\/index\.js$/, /^node:/];

describe('wire layering', () => {
  it('imports nothing above itself (no document/, request/ or networking/)', () => {
    const offending: string[] = [];
    for (const file of readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = readFileSync(`${here}${file}`, 'utf8');
      for (const m of source.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gms)) {
        const spec = m[1] as string;
        if (!ALLOWED.some((re) => re.test(spec))) offending.push(`${file}: ${spec}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
