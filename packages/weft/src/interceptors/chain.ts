/**
 * The one interception shape of weft (architecture convention 7): an interceptor is `(ctx, next) => Promise`,
 * called with a request's context; it may look at or change the context, call `next()` once to run the rest of
 * the chain (and finally the request itself), look at the outcome the context then holds, or refuse the request
 * by throwing (a `WeftError` keeps its code and status on the way to the client). Gateways and executors each
 * run one chain per request; metrics, tracing, auth and limits are interceptors.
 */
import { WeftError } from '../errors/index.js';

/** Runs the rest of the chain; resolves when the request (and every later interceptor) is done. */
export type Next = () => Promise<void>;

/** One link of a chain. */
export type Interceptor<C> = (ctx: C, next: Next) => Promise<void> | void;

/**
 * One function running `interceptors` in order around `terminal` (the request itself). Without interceptors it
 * is `terminal` itself, so an empty chain costs nothing.
 * @example
 * const run = composeInterceptors([timing, auth], (ctx) => handle(ctx));
 * await run(ctx);
 */
export function composeInterceptors<C>(
  interceptors: readonly Interceptor<C>[],
  terminal: (ctx: C) => Promise<void>,
): (ctx: C) => Promise<void> {
  if (interceptors.length === 0) return terminal;
  const list = [...interceptors];
  return (ctx) => {
    let reached = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= reached) {
        throw new WeftError('an interceptor called next() more than once');
      }
      reached = i;
      const link = list[i];
      if (link === undefined) return terminal(ctx);
      await link(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
