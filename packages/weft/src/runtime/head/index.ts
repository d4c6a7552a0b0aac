/**
 * The head runtime: fronts the shards (and replicas) of one deployment, fans each request out by polling (ANY/ALL),
 * reduces the answers, and runs the optional uses_before/uses_after executors. In-process (`HeadServer`) or as its
 * own OS process (`headEntry()`, configuration in `WEFT_HEAD_CONFIG`).
 */
export { decodeHeadConfig, HEAD_CONFIG_ENV, type HeadConfig, type HeadTargetConfig } from './head-config.js';
export { type HeadEntry, headEntry } from './head-entry.js';
export {
  type HeadAnswer,
  type HeadCallContext,
  HeadHandler,
  type HeadHandlerOptions,
  type HeadTarget,
} from './head-handler.js';
export { HEAD_SERVICE_NAMES, HeadServer } from './head-server.js';
export { type Polling, type PollingMode, PollingTable } from './polling.js';
export {
  type MatchRanking,
  matchRanking,
  namedOrder,
  rankMatches,
  requestedLimit,
  type ScoreOrder,
} from './rank-matches.js';
export { reduceAnswers } from './reduce-answers.js';
