/**
 * Fan-in of a head with polling ALL: the shards' answers become one. Documents are reduced by id in shard order
 * (Jina's rule: matches and chunks concatenated per document, the first non-empty field wins), `__results__` of
 * every shard are merged, route entries are merged without duplicates, and an in-band executor error of any
 * shard is kept, so it propagates.
 */
import type { JsonObject } from '../../document/index.js';
import { RESULTS_KEY } from '../../executor/index.js';
import type { DataRequest } from '../../request/index.js';

/**
 * Merge the answers of several shards (in shard order) into the first one, which is returned.
 * @example const merged = reduceAnswers([fromShard0, fromShard1]);
 */
export function reduceAnswers(answers: readonly DataRequest[]): DataRequest {
  const [first, ...rest] = answers;
  if (!first) throw new RangeError('reduceAnswers needs at least one answer');
  if (rest.length === 0) return first;
  mergeRoutes(first, rest);
  mergeResults(first, rest);
  const failed = answers.find((a) => a.isError);
  if (failed && failed !== first) first.header.status = failed.header.status;
  first.docs.reduceAll(rest.map((a) => a.docs));
  return first;
}

/** Append route entries of `others` whose executor `target` does not list yet (Jina's merge_routes). */
export function mergeRoutes(target: DataRequest, others: readonly DataRequest[]): void {
  const seen = new Set(target.routes.map((r) => r.executor));
  for (const other of others) {
    for (const route of other.routes) {
      if (seen.has(route.executor)) continue;
      seen.add(route.executor);
      target.routes.push(route);
    }
  }
}

/** Merge `parameters.__results__` of `others` into `target`'s (each shard reports under its own runtime name). */
export function mergeResults(target: DataRequest, others: readonly DataRequest[]): void {
  let merged: JsonObject | undefined;
  for (const other of others) {
    const results = other.parameters[RESULTS_KEY];
    if (!isObject(results)) continue;
    const own = target.parameters[RESULTS_KEY];
    merged ??= { ...(isObject(own) ? own : {}) };
    Object.assign(merged, results);
  }
  if (merged) target.parameters = { ...target.parameters, [RESULTS_KEY]: merged };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
