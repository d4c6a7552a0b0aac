/**
 * A chain around a stream: the interceptors run as for an ordinary request, and `next()` resolves once the caller
 * has read the whole stream (or rejects with the stream's error), so an interceptor times and counts streams as
 * it does unary calls. The stream opens only when the chain reaches its end; an interceptor that throws before
 * `next()` refuses it, one that returns without calling `next()` answers with an empty stream.
 */

/** `run` is the composed chain: it calls `terminal` where the request itself would run. */
export async function* interceptStream<C, T>(
  ctx: C,
  run: (ctx: C, terminal: (ctx: C) => Promise<void>) => Promise<void>,
  open: (ctx: C) => AsyncIterable<T>,
): AsyncGenerator<T> {
  let hand: (it: AsyncIterator<T>) => void = () => undefined;
  const handed = new Promise<AsyncIterator<T>>((resolve) => {
    hand = resolve;
  });
  let settle: (error?: { error: unknown }) => void = () => undefined;
  const ended = new Promise<void>((resolve, reject) => {
    settle = (e) => (e ? reject(e.error) : resolve());
  });
  const chain = run(ctx, (c) => {
    hand(open(c)[Symbol.asyncIterator]());
    return ended;
  });
  const it = await Promise.race([handed, chain.then(() => undefined)]);
  if (it === undefined) return;
  let failure: { error: unknown } | undefined;
  let finished = false;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      yield r.value;
    }
    finished = true;
  } catch (error) {
    failure = { error };
  } finally {
    // the caller stopped early: end the stream (its `finally` blocks run), then let the chain finish
    if (!finished && !failure) await it.return?.();
    settle(failure);
    await chain.catch((err: unknown) => {
      if (!failure) throw err;
      failure = { error: err };
    });
  }
  if (failure) throw failure.error;
}
