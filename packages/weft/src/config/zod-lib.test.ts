import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../..', import.meta.url));
const preload = new URL('../../test/fixtures/module-log.mjs', import.meta.url).href;

/** The modules a fresh `node -e script` loads (weft from its sources), as recorded by the module-log preload. */
function modulesLoadedBy(script: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'weft-zod-'));
  execFileSync(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', '--import', preload, '--input-type=module', '-e', script],
    { cwd: pkg, env: { ...process.env, WEFT_MODULE_LOG: dir, NODE_TEST_CONTEXT: '' }, stdio: 'pipe' },
  );
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'));
}

describe('zod loads on first validation', () => {
  it("import '@weft-ai/weft' does not load zod; validating options does", () => {
    const imported = modulesLoadedBy("await import('@weft-ai/weft');");
    assert.ok(
      imported.some((l) => l.includes('/src/orchestrate/flow.ts')),
      'weft was imported and recorded',
    );
    assert.deepEqual(
      imported.filter((l) => l.includes('/node_modules/zod/')),
      [],
    );
    const validated = modulesLoadedBy("const { Flow } = await import('@weft-ai/weft'); new Flow({ port: 0 });");
    assert.ok(
      validated.some((l) => l.includes('/node_modules/zod/')),
      'new Flow() validates with zod',
    );
  });
});
