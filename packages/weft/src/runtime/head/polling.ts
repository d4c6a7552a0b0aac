/**
 * Polling: how a head spreads a request over its shards. `ANY` sends it to one shard (the data is partitioned,
 * any shard can serve it, e.g. indexing), `ALL` to every shard and reduces their answers (e.g. searching every
 * partition). One mode for all endpoints, or per endpoint with `*` as the fallback, as in Jina.
 */
import { ConfigError } from '../../errors/index.js';

export type PollingMode = 'ANY' | 'ALL';

/** `'ANY'`, `'ALL'`, or per endpoint: `{ '/search': 'ALL', '*': 'ANY' }` (case-insensitive). */
export type Polling = PollingMode | Lowercase<PollingMode> | Record<string, PollingMode | Lowercase<PollingMode>>;

const DEFAULT_MODE: PollingMode = 'ANY';

/** Resolved polling: the mode of each endpoint. */
export class PollingTable {
  readonly #byEndpoint: ReadonlyMap<string, PollingMode>;
  readonly #fallback: PollingMode;

  /** @example new PollingTable({ '/search': 'ALL', '*': 'ANY' }).modeOf('/search') // 'ALL' */
  constructor(polling: Polling | undefined = DEFAULT_MODE) {
    if (typeof polling === 'string') {
      this.#byEndpoint = new Map();
      this.#fallback = parseMode(polling, 'polling');
      return;
    }
    if (polling === null || typeof polling !== 'object' || Array.isArray(polling)) {
      throw new ConfigError(
        `polling must be 'ANY', 'ALL' or a map of endpoint to 'ANY'/'ALL', got ${JSON.stringify(polling)}`,
      );
    }
    const map = new Map<string, PollingMode>();
    for (const [endpoint, mode] of Object.entries(polling))
      map.set(endpoint, parseMode(mode, `polling['${endpoint}']`));
    this.#fallback = map.get('*') ?? DEFAULT_MODE;
    map.delete('*');
    this.#byEndpoint = map;
  }

  /** The mode for `endpoint` (its own, else `*`'s, else ANY). */
  modeOf(endpoint: string | undefined): PollingMode {
    return (endpoint !== undefined ? this.#byEndpoint.get(endpoint) : undefined) ?? this.#fallback;
  }

  /** JSON form (a plain mode when no endpoint has its own). */
  toJSON(): Polling {
    if (this.#byEndpoint.size === 0) return this.#fallback;
    return { ...Object.fromEntries(this.#byEndpoint), '*': this.#fallback };
  }
}

function parseMode(value: unknown, where: string): PollingMode {
  const upper = typeof value === 'string' ? value.toUpperCase() : value;
  if (upper === 'ANY' || upper === 'ALL') return upper;
  throw new ConfigError(`${where} must be 'ANY' or 'ALL', got ${JSON.stringify(value)}`, {
    details: { polling: value },
  });
}
