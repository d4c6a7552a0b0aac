/**
 * The one rule that turns several requests into one, used wherever answers meet: a head reducing its shards'
 * answers (polling ALL), the gateway's topology graph joining branches, and a worker receiving parent requests
 * unreduced (`process_data`). In request order, left to right:
 * - **documents** are reduced by id (`DocumentArray.reduce`, Jina's rule): a document already present takes the
 *   fields it lacks and the union of matches and chunks; a new one is appended, so the first request's order leads;
 * - **routes** are appended in order, one entry per executor (Jina's `merge_routes`): an executor already listed
 *   keeps its first entry, which takes the error status of a later entry of the same executor when it has none;
 * - **`parameters.__results__`** are accumulated, one key per runtime name; a key already present keeps its value;
 * - **status**: the first request that carries an error status gives it to the merged header, so the error
 *   propagates; otherwise the first request's header is kept as it is;
 * - everything else (header fields, other parameters) is the first request's.
 */
import { isPlainObject, type JsonObject } from '../document/index.js';
import type { DataRequest } from './data-request.js';

/** The key of `parameters` under which executors' returned results travel, one entry per runtime name. */
export const RESULTS_KEY = '__results__';

export interface MergeOptions {
  /**
   * What the merge may change:
   * - `'none'` (default): the first request itself becomes the result (its documents reduced in place);
   * - `'first'`: the result is a copy of the first request with its documents cloned; documents of the other
   *   requests are taken by reference (the inputs' arrays are left as they were);
   * - `'all'`: like `'first'`, and the other requests' documents are cloned too, so the result shares no
   *   `Document` with any input (an executor may change it while the inputs stay as they came).
   */
  copy?: 'none' | 'first' | 'all';
}

/**
 * Merge `requests` (at least one) into one, by the rule of this module. A single request comes back as it is.
 * @example const merged = mergeRequests([fromShard0, fromShard1]);
 * @example const joined = mergeRequests([branchA, branchB], { copy: 'first' }); // branchA untouched
 */
export function mergeRequests(requests: readonly DataRequest[], options: MergeOptions = {}): DataRequest {
  const [first, ...rest] = requests;
  if (!first) throw new RangeError('mergeRequests needs at least one request');
  if (rest.length === 0) return first;
  const copy = options.copy ?? 'none';
  const out = copy === 'none' ? first : first.shallowCopy();
  const docs = copy === 'none' ? first.docs : first.docs.clone();
  for (const other of rest) docs.reduce(copy === 'all' ? other.docs.clone() : other.docs);
  out.docs = docs;
  mergeRoutes(out, rest);
  mergeResults(out, rest);
  if (!out.isError) {
    const failed = rest.find((r) => r.isError);
    if (failed?.header.status) out.header.status = { ...failed.header.status };
  }
  return out;
}

/** Append the route entries of `others` whose executor `target` does not list yet (see the module comment). */
function mergeRoutes(target: DataRequest, others: readonly DataRequest[]): void {
  const byExecutor = new Map(target.routes.map((r) => [r.executor, r]));
  for (const other of others) {
    for (const route of other.routes) {
      const kept = byExecutor.get(route.executor);
      if (!kept) {
        const entry = { ...route };
        byExecutor.set(route.executor, entry);
        target.routes.push(entry);
      } else if (kept.status === undefined && route.status !== undefined && route.status.code !== 0) {
        kept.status = route.status;
      }
    }
  }
}

/** Accumulate `parameters.__results__` of `others` into `target`'s; keys already present keep their value. */
function mergeResults(target: DataRequest, others: readonly DataRequest[]): void {
  let merged: JsonObject | undefined;
  for (const other of others) {
    const theirs = other.parameters[RESULTS_KEY];
    if (!isPlainObject(theirs)) continue;
    if (!merged) {
      const own = target.parameters[RESULTS_KEY];
      merged = { ...(isPlainObject(own) ? (own as JsonObject) : {}) };
    }
    for (const [key, value] of Object.entries(theirs)) if (!(key in merged)) merged[key] = value;
  }
  if (merged) target.parameters = { ...target.parameters, [RESULTS_KEY]: merged };
}
