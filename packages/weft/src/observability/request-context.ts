/**
 * The request a piece of code is working for, as the logger sees it: a runtime runs each request's handling
 * inside `withRequestId`, so every line logged meanwhile (an executor's `console.log` included) carries the
 * request's id. One AsyncLocalStorage, one `run` per request.
 *
 * @example withRequestId(req.header.requestId, () => handle(req))
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<string>();
let enabled = false;

/** Turn request ids on for this process (a worker runtime does; until then `withRequestId` just calls `fn`). */
export function enableRequestContext(): void {
  enabled = true;
}

/** Run `fn` with `requestId` as the current request (undefined or empty, or not enabled: `fn` as it is). */
export function withRequestId<T>(requestId: string | undefined, fn: () => T): T {
  return enabled && requestId ? store.run(requestId, fn) : fn();
}

/** The id of the request being handled here, if any. */
export function currentRequestId(): string | undefined {
  return store.getStore();
}
