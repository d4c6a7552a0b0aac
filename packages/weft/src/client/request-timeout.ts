/**
 * The Client's per-request timeout, the same on every transport: each request gets `timeout` ms from the moment
 * the transport takes it to send; when the oldest unanswered one runs over, the stream of answers ends with a
 * `DeadlineExceededError` naming the request and the gateway (the caller then aborts the transport's call).
 */
import { DeadlineExceededError } from '../errors/index.js';
import type { DataRequest } from '../request/index.js';

/** When each unanswered request was sent (insertion order: the first entry is the oldest). */
export type SentTimes = Map<string, number>;

/** The answers of `source`, failing once a request in `sent` waits more than `timeoutMs`. */
export async function* answersWithin(
  source: AsyncIterable<DataRequest>,
  sent: SentTimes,
  timeoutMs: number,
  gateway: string,
): AsyncGenerator<DataRequest> {
  const it = source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<DataRequest>> | undefined = it.next();
  try {
    for (;;) {
      const outcome = await raceTimer(next, delayUntilOldestExpires(sent, timeoutMs));
      if (outcome === TIMER) {
        const expired = oldestExpired(sent, timeoutMs);
        if (expired === undefined) continue;
        next.catch(() => undefined); // the transport's pending read settles once it is aborted
        next = undefined;
        throw new DeadlineExceededError(
          `no answer to request ${expired} within ${timeoutMs} ms from the ${gateway}; raise the post's timeout if it needs longer`,
          { details: { requestId: expired, timeoutMs, gateway } },
        );
      }
      if (outcome.done) {
        next = undefined;
        return;
      }
      sent.delete(outcome.value.header.requestId);
      next = undefined;
      yield outcome.value;
      next = it.next();
    }
  } finally {
    // stopped early (or timed out): let the transport clean up, without waiting on a read that may never end
    if (next === undefined) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

const TIMER = Symbol('timer');

function delayUntilOldestExpires(sent: SentTimes, timeoutMs: number): number {
  const first = sent.values().next();
  // nothing in flight: a request sent from now on cannot expire before `timeoutMs`
  if (first.done) return timeoutMs;
  return Math.max(0, first.value + timeoutMs - performance.now());
}

function oldestExpired(sent: SentTimes, timeoutMs: number): string | undefined {
  const first = sent.entries().next();
  if (first.done) return undefined;
  const [id, at] = first.value;
  return performance.now() - at >= timeoutMs ? id : undefined;
}

async function raceTimer<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMER> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMER>((resolve) => {
    timer = setTimeout(() => resolve(TIMER), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
