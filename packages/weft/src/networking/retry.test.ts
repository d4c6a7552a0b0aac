import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffBefore, pause, triesFor } from './retry.js';

describe('retry schedule', () => {
  it('pauses before every retry, growing by the multiplier up to the cap', () => {
    const backoff = { initialMs: 500, maxMs: 2000, multiplier: 1.5 };
    const pauses = Array.from({ length: 7 }, (_, attempt) => backoffBefore(attempt, backoff));
    assert.deepEqual(pauses, [0, 500, 750, 1125, 1687.5, 2000, 2000]);
  });

  it('pauses only between passes over the replicas, doubling by default', () => {
    const backoff = { initialMs: 50, maxMs: 1000 };
    const pauses = Array.from({ length: 10 }, (_, attempt) => backoffBefore(attempt, backoff, 3));
    assert.deepEqual(pauses, [0, 0, 0, 50, 0, 0, 100, 0, 0, 200]);
    assert.equal(backoffBefore(3 * 20, backoff, 3), 1000);
  });

  it('counts tries the way Jina reads `retries`', () => {
    assert.equal(triesFor(-1, 1), 3);
    assert.equal(triesFor(-1, 5), 5);
    assert.equal(triesFor(0, 5), 1);
    assert.equal(triesFor(2, 1), 3);
  });

  it('ends a pause early when its signal aborts', async () => {
    const abort = new AbortController();
    const waiting = pause(60_000, abort.signal);
    abort.abort();
    await waiting; // resolves, long before the minute (the test would time out otherwise)
    await pause(0);
    await pause(60_000, abort.signal); // already aborted: no wait at all
  });
});
