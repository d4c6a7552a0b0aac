/**
 * Golden files for tests: `assertGolden(file, actual)` compares with the stored file, or (re)writes it when the
 * environment says `UPDATE_GOLDEN=1` (then review the diff and commit it).
 * Regenerate the export goldens: `UPDATE_GOLDEN=1 npm test -- src/export/`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const GOLDEN_DIR = new URL('./', import.meta.url).pathname;

export function assertGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs: run with UPDATE_GOLDEN=1 and review the diff`);
}
