/**
 * Fan-in of a head with polling ALL: the shards' answers become one by the one merge rule of `request/`
 * (`mergeRequests`: documents reduced by id in shard order, routes once per executor, `__results__` accumulated,
 * the first error status kept, so an in-band executor error of any shard propagates). What a head adds: each
 * document's merged matches are ranked best first by score and cut to the requested limit when they carry a
 * score (`rank-matches.ts`), so a sharded search returns the global top-k.
 */
import type { JsonObject } from '../../document/index.js';
import { type DataRequest, mergeRequests } from '../../request/index.js';
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
  // read the order each shard ranked its matches in before the merge concatenates them
  const ranking = answers.some((a) => a.isError)
    ? undefined
    : matchRanking(
        answers.map((a) => a.docs),
        params,
      );
  const merged = mergeRequests(answers);
  if (ranking) rankMatches(merged.docs, ranking);
  return merged;
}
