/**
 * Reading the request `parameters` VectorIndexer's endpoints understand, with errors that name the parameter:
 * `limit`, `filter`, `efSearch`, `exact`, `includeEmbeddings` (search), `ids`, `filter` (delete), `strict` (update).
 */
import { BadArgumentError, ConfigError, type Filter, type JsonObject } from '@weft-ai/weft';
import { calibrationOf, type ScoreCalibration } from './options.js';

export const DEFAULT_LIMIT = 10;

export interface SearchParams {
  /** Matches per query. */
  limit: number;
  /** Mongo-style filter on tags and fields the matches must pass. */
  filter: Filter | undefined;
  /** HNSW candidate list size for this request; raises the `efSearch` option, cannot lower it. */
  ef: number | undefined;
  /** Brute force over the whole store instead of the graph. */
  exact: boolean;
  /** Keep each match's embedding (off by default: it is what makes responses large). */
  includeEmbeddings: boolean;
  /** Clear each query's own embedding once searched (the caller has no use for it back). */
  dropQueryEmbedding: boolean;
  /** Add `scores.calibrated` and `scores.match` to every match. */
  calibration: ScoreCalibration | undefined;
}

export function searchParams(p: JsonObject, calibration?: ScoreCalibration): SearchParams {
  return {
    dropQueryEmbedding: flag(p.dropQueryEmbedding, 'dropQueryEmbedding'),
    calibration:
      p.calibration === undefined || p.calibration === null ? calibration : requestCalibration(p.calibration),
    limit: p.limit === undefined || p.limit === null ? DEFAULT_LIMIT : positiveInt(p.limit, 'limit'),
    filter: filterParam(p.filter),
    ef: p.efSearch === undefined || p.efSearch === null ? undefined : positiveInt(p.efSearch, 'efSearch'),
    exact: flag(p.exact, 'exact'),
    includeEmbeddings: flag(p.includeEmbeddings, 'includeEmbeddings'),
  };
}

/** `parameters.filter`, when given. */
export function filterParam(value: unknown): Filter | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadArgumentError(
      `VectorIndexer: parameters.filter must be a Mongo-style filter object such as { "tags__color": "red" }, got ${JSON.stringify(value)}`,
      { details: { parameter: 'filter' } },
    );
  }
  return value as Filter;
}

/** `parameters.ids`, when given: a list of document ids. */
export function idsParam(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new BadArgumentError(`VectorIndexer: parameters.ids must be a list of document ids (strings)`, {
      details: { parameter: 'ids' },
    });
  }
  return value as string[];
}

export function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') {
    throw new BadArgumentError(
      `VectorIndexer: parameters.${name} must be true or false, got ${JSON.stringify(value)}`,
      {
        details: { parameter: name },
      },
    );
  }
  return value;
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BadArgumentError(
      `VectorIndexer: parameters.${name} must be a positive integer, got ${JSON.stringify(value)}`,
      { details: { parameter: name } },
    );
  }
  return value;
}

function requestCalibration(value: unknown): ScoreCalibration {
  try {
    return calibrationOf(value, 'parameters.calibration');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new BadArgumentError(err.message, { details: { parameter: 'calibration' } });
  }
}
