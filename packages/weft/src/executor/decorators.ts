/**
 * `@requests` binds an Executor method to endpoints; `@dynamicBatching` makes concurrent requests to it share one
 * call. Both are standard (TC39) decorators: no `experimentalDecorators` needed.
 */
import { BadArgumentError } from '../errors/index.js';
import { DEFAULT_ENDPOINT, type DynamicBatchingConfig, ownTables } from './endpoint-table.js';

export interface RequestsOptions {
  /** One endpoint or several; omitted binds the default endpoint (used for any endpoint not bound otherwise). */
  on?: string | readonly string[];
}

type MethodDecorator = (value: unknown, context: ClassMethodDecoratorContext) => void;

/**
 * Bind a method to endpoints.
 * @example
 * class MyExec extends Executor {
 *   @requests({ on: '/index' }) index({ docs }: EndpointArgs) { ... }
 *   @requests() fallback({ docs }: EndpointArgs) { ... } // '/default'
 * }
 */
export function requests(options: RequestsOptions = {}): MethodDecorator {
  const on =
    options.on === undefined ? [DEFAULT_ENDPOINT] : typeof options.on === 'string' ? [options.on] : [...options.on];
  for (const endpoint of on) {
    if (typeof endpoint !== 'string' || endpoint.length === 0) {
      throw new BadArgumentError(
        `@requests({ on }) takes endpoint names such as '/index', got ${JSON.stringify(endpoint)}`,
      );
    }
  }
  return (_value, context) => {
    if (context.kind !== 'method' || context.static || context.private) {
      throw new BadArgumentError('@requests decorates public instance methods of an Executor');
    }
    const tables = ownTables(context.metadata);
    for (const endpoint of on) tables.endpoints.set(endpoint, String(context.name));
  };
}

/**
 * Queue requests to this method and call it with batches of documents (per endpoint and identical parameters).
 * @example @requests({ on: '/encode' }) @dynamicBatching({ preferredBatchSize: 16, timeoutMs: 5 }) encode(...) {}
 */
export function dynamicBatching(config: DynamicBatchingConfig): MethodDecorator {
  validateBatching(config, '@dynamicBatching');
  return (_value, context) => {
    if (context.kind !== 'method' || context.static || context.private) {
      throw new BadArgumentError('@dynamicBatching decorates public instance methods of an Executor');
    }
    ownTables(context.metadata).batching.set(String(context.name), { ...config });
  };
}

export function validateBatching(config: DynamicBatchingConfig, where: string): DynamicBatchingConfig {
  if (!config || !Number.isInteger(config.preferredBatchSize) || config.preferredBatchSize < 1) {
    throw new BadArgumentError(`${where}: preferredBatchSize must be a positive integer`);
  }
  if (config.timeoutMs !== undefined && (!Number.isFinite(config.timeoutMs) || config.timeoutMs < 0)) {
    throw new BadArgumentError(`${where}: timeoutMs must be a non-negative number of milliseconds`);
  }
  return config;
}
