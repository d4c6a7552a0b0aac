/**
 * The Executor base class: a user class whose methods, bound with `@requests`, become endpoints. It knows nothing
 * about networks; a worker runtime serves it. Constructor options carry `usesWith` values, `metas`, `runtimeArgs`,
 * endpoint remapping and dynamic batching settings.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import type { Document, DocumentArray, JsonObject } from '../document/index.js';
import { ExecutorLoadError } from '../errors/index.js';
import { weftTracer } from '../observability/index.js';
import { validateBatching } from './decorators.js';
import { batchingOf, DEFAULT_ENDPOINT, type DynamicBatchingConfig, endpointsOf } from './endpoint-table.js';

export interface ExecutorMetas {
  name?: string;
  description?: string;
}

export interface RuntimeArgs {
  /** Runtime name, e.g. `encoder/rep-0`; defaults to the executor name. */
  name: string;
  replicas: number;
  shards: number;
  shardId: number;
  /** Base workspace directory. */
  workspace?: string;
}

/** Options every Executor constructor accepts (merged with the executor's own `usesWith` values). */
export interface ExecutorOptions {
  metas?: ExecutorMetas;
  runtimeArgs?: Partial<RuntimeArgs>;
  /** Base workspace directory (the executor's own is `<workspace>/<name>/<shardId>/`). */
  workspace?: string;
  /** Remap endpoints to methods: `{ '/search': 'query' }` (Jina's `uses_requests`). */
  requests?: Record<string, string>;
  /** Dynamic batching per endpoint: `{ '/encode': { preferredBatchSize: 16, timeoutMs: 5 } }`. */
  dynamicBatching?: Record<string, DynamicBatchingConfig>;
}

/** Constructor argument type for an executor with its own `usesWith` options `W`. */
export type ExecutorArgs<W extends object = Record<string, never>> = ExecutorOptions & Partial<W>;

/** What an endpoint method receives. */
export interface EndpointArgs {
  docs: DocumentArray;
  parameters: JsonObject;
  /** One DocumentArray per parent request when a join does not reduce (`noReduce`); else `[docs]`. */
  docsMatrix: DocumentArray[];
  /** Parent executor name → its DocumentArray, for unreduced joins. */
  docsMap: Record<string, DocumentArray>;
  /** Request metadata (gRPC metadata / HTTP headers). */
  headers: Record<string, string>;
}

/**
 * What a streaming endpoint receives: one document (Jina's `doc`), not a batch. A streaming endpoint is an async
 * generator method (`async *chat({ doc, parameters }: StreamArgs)`) that yields Documents one at a time.
 */
export interface StreamArgs {
  doc: Document;
  parameters: JsonObject;
  /** Request metadata (gRPC metadata / HTTP headers). */
  headers: Record<string, string>;
  /** Aborted when the caller went away (the client disconnected): stop work the generator started elsewhere. */
  signal: AbortSignal;
}

/** What an endpoint method may return: new docs, a results object, or nothing (the mutated input docs). */
// biome-ignore lint/suspicious/noConfusingVoidType: endpoint methods declared `: void` must type-check
export type EndpointResult = DocumentArray | JsonObject | undefined | null | void;

/** One bound endpoint. */
export interface EndpointBinding {
  endpoint: string;
  method: string;
  fn: (args: EndpointArgs) => EndpointResult | Promise<EndpointResult> | AsyncIterable<unknown>;
  batching?: DynamicBatchingConfig;
  /** A generator method: called once per document with `StreamArgs`, its yields stream back one by one. */
  streaming?: boolean;
}

export class Executor {
  readonly metas: ExecutorMetas & { name: string };
  readonly runtimeArgs: RuntimeArgs;
  readonly #bindings = new Map<string, EndpointBinding>();
  #workspace: string | undefined;

  constructor(options: ExecutorOptions = {}) {
    const cls = new.target;
    const name = options.metas?.name ?? options.runtimeArgs?.name ?? cls.name;
    this.metas = { ...options.metas, name };
    this.runtimeArgs = {
      name: options.runtimeArgs?.name ?? name,
      replicas: options.runtimeArgs?.replicas ?? 1,
      shards: options.runtimeArgs?.shards ?? 1,
      shardId: options.runtimeArgs?.shardId ?? 0,
      ...((options.workspace ?? options.runtimeArgs?.workspace)
        ? { workspace: options.workspace ?? options.runtimeArgs?.workspace }
        : {}),
    };
    const table = endpointsOf(cls);
    for (const [endpoint, method] of Object.entries(options.requests ?? {})) table.set(endpoint, method);
    const batchingByMethod = batchingOf(cls);
    const batchingByEndpoint = options.dynamicBatching ?? {};
    for (const [endpoint, method] of table) {
      const fn = (this as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') {
        throw new ExecutorLoadError(
          `${cls.name}: endpoint '${endpoint}' is bound to '${method}', which is not a method`,
          {
            details: { executor: name, endpoint, method },
          },
        );
      }
      const override = batchingByEndpoint[endpoint];
      const batching = override
        ? validateBatching(override, `${cls.name} dynamicBatching['${endpoint}']`)
        : batchingByMethod.get(method);
      const streaming = isGeneratorFunction(fn);
      if (streaming && batching) {
        throw new ExecutorLoadError(
          `${cls.name}: endpoint '${endpoint}' is a streaming (generator) endpoint and cannot use dynamic batching; remove its batching configuration`,
          { details: { executor: name, endpoint, method } },
        );
      }
      this.#bindings.set(endpoint, {
        endpoint,
        method,
        fn: (fn as EndpointBinding['fn']).bind(this),
        ...(batching ? { batching } : {}),
        ...(streaming ? { streaming } : {}),
      });
    }
  }

  /** The executor's own workspace directory, `<workspace>/<name>/<shardId>/`, created on first access. */
  get workspace(): string {
    if (this.#workspace === undefined) {
      const base = this.runtimeArgs.workspace ?? process.env.WEFT_WORKSPACE ?? join(homedir(), '.cache', 'weft');
      this.#workspace = resolve(base, this.metas.name.replaceAll('/', '_'), String(this.runtimeArgs.shardId));
      mkdirSync(this.#workspace, { recursive: true });
    }
    return this.#workspace;
  }

  /**
   * The OpenTelemetry tracer of this runtime: spans started in an endpoint are children of the request's span (a
   * no-op tracer, loading nothing, when the runtime runs without `tracing: true`).
   * @example const span = this.tracer.startSpan('rerank'); try { rerank(docs) } finally { span.end() }
   */
  get tracer(): Tracer {
    return weftTracer();
  }

  /** Every endpoint bound on this executor (including the default endpoint, if bound). */
  get endpoints(): string[] {
    return [...this.#bindings.keys()];
  }

  /** The endpoints bound to generator methods (streaming endpoints), including the default one if it is. */
  get streamingEndpoints(): string[] {
    return [...this.#bindings.values()].filter((b) => b.streaming).map((b) => b.endpoint);
  }

  /** The binding that serves `endpoint`: its own, else the default endpoint's, else none (pass-through). */
  resolveEndpoint(endpoint: string): EndpointBinding | undefined {
    return this.#bindings.get(endpoint) ?? this.#bindings.get(DEFAULT_ENDPOINT);
  }

  /** Release resources; awaited once on shutdown, after in-flight requests and batch queues drained. */
  async close(): Promise<void> {}
}

/** Whether `fn` is a generator function (`async *m()` or `*m()`): such methods are streaming endpoints. */
function isGeneratorFunction(fn: unknown): boolean {
  const name = (fn as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return name === 'AsyncGeneratorFunction' || name === 'GeneratorFunction';
}
