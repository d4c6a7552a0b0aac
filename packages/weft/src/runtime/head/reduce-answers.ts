/**
 * Fan-in of a head with polling ALL: the shards' answers become one. Documents are reduced by id in shard order
 * (Jina's rule: matches and chunks concatenated per document, the first non-empty field wins), then each
 * document's merged matches are ranked best first by score and cut to the requested limit when they carry a score
 * (`rank-matches.ts`), so a sharded search returns the global top-k. `__results__` of every shard are merged,
 * route entries are merged without duplicates, and an in-band executor error of any shard is kept, so it
 * propagates.
 */
import type { JsonObject } from '../../document/index.js';
import { RESULTS_KEY } from '../../executor/index.js';
import type { DataRequest } from '../../request/index.js';
import { matchRanking, rankMatches } from './rank-matches.js';

/**
 * Merge the answers of several shards (in shard order) into the first one, which is returned. `parameters` are
 * the request's (where the limit of matches comes from); by default the first answer's.
 * @example const merged = reduceAnswers([fromShard0, fromShard1], request.parameters);
 */
export function reduceAnswers(answers: readonly DataRequest[], parameters?: JsonObject): DataRequest {
  const [first, ...rest] = answers;
  if (!first) throw new RangeError('reduceAnswers needs at least one answer');
  if (rest.length === 0) return first;
  const params = parameters ?? first.parameters;
  mergeRoutes(first, rest);
  mergeResults(first, rest);
  const failed = answers.find((a) => a.isError);
  if (failed && failed !== first) first.header.status = failed.header.status;
  // read the order each shard ranked its matches in before the reduce concatenates them
  const ranking = failed
    ? undefined
    : matchRanking(
        answers.map((a) => a.docs),
        params,
      );
  first.docs.reduceAll(rest.map((a) => a.docs));
  if (ranking) rankMatches(first.docs, ranking);
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
