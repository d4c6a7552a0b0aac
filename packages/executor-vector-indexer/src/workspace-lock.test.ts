import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExecutorLoadError } from '@weft-ai/weft';
import { WorkspaceLock } from './workspace-lock.js';

describe('WorkspaceLock', () => {
  it('records the owner pid, refuses a second holder in this process, and frees on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-lock-'));
    try {
      const lock = WorkspaceLock.acquire(dir);
      assert.equal(readFileSync(join(dir, 'LOCK'), 'utf8'), String(process.pid));
      assert.throws(() => WorkspaceLock.acquire(dir, { waitMs: 50 }), ExecutorLoadError);
      lock.release();
      lock.release(); // idempotent
      const again = WorkspaceLock.acquire(dir);
      again.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
