/**
 * The request streamer: feeds a client's stream of requests through the topology graph with at most `prefetch`
 * requests in flight (Jina's back-pressure; 0 = unlimited) and yields answers as they complete. A transport
 * error for one request becomes that request's error outcome; the stream goes on.
 */
import type { DataRequest } from '../../request/index.js';

export type StreamOutcome = { ok: true; req: DataRequest } | { ok: false; req: DataRequest; error: unknown };

/**
 * Process `requests` with bounded concurrency, yielding outcomes in completion order (or input order when
 * `inOrder`).
 */
export async function* streamRequests(
  requests: AsyncIterable<DataRequest> | Iterable<DataRequest>,
  process: (req: DataRequest) => Promise<DataRequest>,
  options: { prefetch?: number; inOrder?: boolean } = {},
): AsyncGenerator<StreamOutcome> {
  const limit = options.prefetch && options.prefetch > 0 ? options.prefetch : Number.POSITIVE_INFINITY;
  const iterator = (
    Symbol.asyncIterator in requests
      ? (requests as AsyncIterable<DataRequest>)[Symbol.asyncIterator]()
      : (requests as Iterable<DataRequest>)[Symbol.iterator]()
  ) as AsyncIterator<DataRequest> | Iterator<DataRequest>;
  const pending = new Map<number, Promise<{ seq: number; outcome: StreamOutcome }>>();
  const done = new Map<number, StreamOutcome>();
  let seq = 0;
  let nextOut = 0;
  let exhausted = false;
  let pulling: Promise<IteratorResult<DataRequest>> | undefined;

  const start = (req: DataRequest): void => {
    const s = seq++;
    pending.set(
      s,
      process(req).then(
        (res): { seq: number; outcome: StreamOutcome } => ({ seq: s, outcome: { ok: true, req: res } }),
        (error): { seq: number; outcome: StreamOutcome } => ({ seq: s, outcome: { ok: false, req, error } }),
      ),
    );
  };

  while (!exhausted || pending.size > 0) {
    if (!exhausted && pending.size < limit) {
      pulling ??= Promise.resolve(iterator.next());
      const raced = pending.size === 0 ? await pulling : await Promise.race([pulling, ...pending.values()]);
      if (isIteratorResult(raced)) {
        pulling = undefined;
        if (raced.done) exhausted = true;
        else start(raced.value);
        continue;
      }
      yield* emit(
        raced,
        pending,
        done,
        options.inOrder ?? false,
        () => nextOut++,
        () => nextOut,
      );
      continue;
    }
    if (pending.size === 0) break;
    const finished = await Promise.race(pending.values());
    yield* emit(
      finished,
      pending,
      done,
      options.inOrder ?? false,
      () => nextOut++,
      () => nextOut,
    );
  }
  for (const [, outcome] of [...done.entries()].sort((a, b) => a[0] - b[0])) yield outcome;
}

function* emit(
  finished: { seq: number; outcome: StreamOutcome },
  pending: Map<number, unknown>,
  done: Map<number, StreamOutcome>,
  inOrder: boolean,
  advance: () => number,
  peek: () => number,
): Generator<StreamOutcome> {
  pending.delete(finished.seq);
  if (!inOrder) {
    yield finished.outcome;
    return;
  }
  done.set(finished.seq, finished.outcome);
  while (done.has(peek())) {
    const s = advance();
    const o = done.get(s) as StreamOutcome;
    done.delete(s);
    yield o;
  }
}

function isIteratorResult(x: unknown): x is IteratorResult<DataRequest> {
  return typeof x === 'object' && x !== null && 'done' in x && !('outcome' in x);
}
