/**
 * Retry with back-off, the one schedule every retried call in weft follows: the connection pool moving over
 * replicas (unary calls and `stream_doc`) and the Client sending a post again after a transport failure. The
 * schedule is a pure function of the try's number, so a retry loop stays a plain `for` loop that pays nothing on
 * its first try (the hot path of every call).
 */

export interface BackoffOptions {
  /** The first pause in ms. */
  initialMs: number;
  /** No pause is longer (ms). */
  maxMs: number;
  /** Each pause is the previous one times this (default 2). */
  multiplier?: number;
}

/**
 * The pause (ms) before try `attempt` (0-based) of a retried call: none before the first try of a pass, then
 * `initialMs` before the second pass, times `multiplier` for each pass after that, at most `maxMs`. A pass is
 * `passSize` tries (default 1: a pause before every retry); the connection pool makes a pass over its replicas, so
 * that each replica is tried once before any is tried again after a pause.
 * @example
 * for (let attempt = 0; attempt < tries; attempt++) {
 *   const ms = backoffBefore(attempt, { initialMs: 50, maxMs: 1000 }, replicas);
 *   if (ms > 0) await pause(ms);
 *   try { return await call(attempt); } catch (err) { if (!retryable(err)) throw err; }
 * }
 */
export function backoffBefore(attempt: number, backoff: BackoffOptions, passSize = 1): number {
  if (attempt <= 0 || attempt % passSize !== 0) return 0;
  const pass = attempt / passSize; // 1 before the second pass
  const ms = Math.max(0, backoff.initialMs) * (backoff.multiplier ?? 2) ** (pass - 1);
  return Math.min(Math.max(0, backoff.maxMs), ms);
}

/**
 * Total tries for Jina's `retries` setting over `replicas` replicas: -1 (any negative) means every replica at
 * least once and at least 3 tries; otherwise one try plus `retries` retries.
 * @example triesFor(-1, 2) // 3; triesFor(-1, 5) // 5; triesFor(0, 5) // 1
 */
export function triesFor(retries: number, replicas: number): number {
  return retries < 0 ? Math.max(3, replicas) : retries + 1;
}

/** Wait `ms`; ends early (without an error) when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
