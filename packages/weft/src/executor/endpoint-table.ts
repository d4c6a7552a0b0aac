/**
 * Per-class endpoint tables built by the `@requests` and `@dynamicBatching` decorators. Tables live in the class's
 * decorator metadata, so subclasses inherit their parents' bindings and may override them.
 */

// Node 20 has no Symbol.metadata; standard decorators read it when a class is defined, so define it before any
// user class is (this module is imported by everything that exports a decorator).
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

/** The endpoint an unbound request falls back to. */
export const DEFAULT_ENDPOINT = '/default';
/** The endpoint a dry run travels with; every runtime answers it without calling the executor. */
export const DRY_RUN_ENDPOINT = '_jina_dry_run_';

export interface DynamicBatchingConfig {
  /** Flush the queue once this many documents are waiting; the method is called with at most this many. */
  preferredBatchSize: number;
  /** Flush after the oldest queued request has waited this long (ms). Jina's default: 10 000. */
  timeoutMs?: number;
}

interface ClassTables {
  /** endpoint → method name */
  endpoints: Map<string, string>;
  /** method name → batching config */
  batching: Map<string, DynamicBatchingConfig>;
}

const TABLES = Symbol('weft.endpointTables');

type Metadata = Record<PropertyKey, unknown>;

/** The tables owned by this metadata object (copying the parent's on first write). */
export function ownTables(metadata: DecoratorMetadataObject | undefined): ClassTables {
  if (!metadata) {
    throw new Error(
      'weft decorators need decorator metadata: use standard (TC39) decorators, not experimentalDecorators',
    );
  }
  const meta = metadata as Metadata;
  if (Object.hasOwn(meta, TABLES)) return meta[TABLES] as ClassTables;
  const inherited = meta[TABLES] as ClassTables | undefined;
  const own: ClassTables = {
    endpoints: new Map(inherited?.endpoints ?? []),
    batching: new Map(inherited?.batching ?? []),
  };
  meta[TABLES] = own;
  return own;
}

/** The endpoint → method table of a class (including inherited bindings). */
export function endpointsOf(cls: abstract new (...args: never[]) => unknown): Map<string, string> {
  const meta = (cls as unknown as Record<symbol, Metadata | undefined>)[Symbol.metadata as symbol];
  const tables = meta?.[TABLES] as ClassTables | undefined;
  return new Map(tables?.endpoints ?? []);
}

/** Dynamic batching configs of a class, by method name. */
export function batchingOf(cls: abstract new (...args: never[]) => unknown): Map<string, DynamicBatchingConfig> {
  const meta = (cls as unknown as Record<symbol, Metadata | undefined>)[Symbol.metadata as symbol];
  const tables = meta?.[TABLES] as ClassTables | undefined;
  return new Map(tables?.batching ?? []);
}
