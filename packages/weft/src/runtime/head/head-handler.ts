/**
 * What a head does with one request, independent of gRPC: optional `usesBefore`, then fan-out by polling (ANY: one
 * shard, round robin, moving on to another shard when one has no live replica; ALL: every shard), fan-in (the
 * `usesAfter` executor, or reduce by id and rank the merged matches by score), and the trailers Jina's head sets
 * (`total_shards`, `failed_shards`).
 * Partial shard failure under ALL answers from the shards that worked; only when every shard failed does the
 * request fail. Executor errors are in-band and propagate as they are; the head appends no route of its own.
 * Streaming requests (`stream_doc`) fan out by the same polling (`streamDoc`, see `head-stream.ts`).
 */
import type { Metadata } from '@grpc/grpc-js';
import { UnavailableError } from '../../errors/index.js';
import { specificParams } from '../../executor/index.js';
import type { SendOptions } from '../../networking/index.js';
import type { DataRequest, Endpoints, SingleDocumentRequest } from '../../request/index.js';
import { type ShardFailure, type StreamOptions, streamFromShards } from './head-stream.js';
import { type Polling, PollingTable } from './polling.js';
import { reduceAnswers } from './reduce-answers.js';

/** One shard (or a uses_before/uses_after executor) as the head reaches it: a ConnectionPool over its replicas. */
export interface HeadTarget {
  readonly name: string;
  readonly addresses: readonly string[];
  send(req: DataRequest, options: SendOptions): Promise<DataRequest>;
  sendList(reqs: DataRequest[], options: SendOptions): Promise<DataRequest>;
  endpointDiscovery(options: SendOptions): Promise<Endpoints>;
  /** One document to a streaming endpoint (`stream_doc`): the answers as they come. */
  streamDoc(req: SingleDocumentRequest, options: StreamOptions): AsyncIterable<SingleDocumentRequest>;
  close(): void;
}

export interface HeadHandlerOptions {
  /** Deployment name (for messages). */
  deployment: string;
  /** The shards in shard order. */
  shards: readonly HeadTarget[];
  polling?: Polling;
  usesBefore?: HeadTarget;
  usesAfter?: HeadTarget;
  /** Receives warnings (failed shards). */
  log?: (message: string) => void;
}

/** Per-call context: the caller's deadline and metadata to forward. */
export interface HeadCallContext {
  deadline?: number;
  metadata?: Metadata;
}

export interface HeadAnswer {
  response: DataRequest;
  /** Trailing metadata for the caller (`total_shards`, `failed_shards` under polling ALL). */
  trailers: Record<string, string>;
}

export class HeadHandler {
  readonly deployment: string;
  readonly polling: PollingTable;
  readonly #options: HeadHandlerOptions;
  #anyCursor = 0;

  constructor(options: HeadHandlerOptions) {
    if (options.shards.length === 0) throw new RangeError(`head of '${options.deployment}' needs at least one shard`);
    this.#options = options;
    this.deployment = options.deployment;
    this.polling = new PollingTable(options.polling);
  }

  /** Handle one request (or an unreduced list of parent requests, as `process_data` brings). */
  async handle(reqs: DataRequest[], ctx: HeadCallContext = {}): Promise<HeadAnswer> {
    const opts = sendOptions(ctx);
    const endpoint = reqs[0]?.header.execEndpoint;
    let input = reqs;
    const { usesBefore, usesAfter } = this.#options;
    if (usesBefore) {
      const before = await sendTo(usesBefore, input, opts);
      if (before.isError) return { response: before, trailers: {} };
      input = [before];
    }
    if (this.polling.modeOf(endpoint) === 'ANY') {
      const answer = await this.#any(input, opts);
      const response = usesAfter && !answer.isError ? await sendTo(usesAfter, [answer], opts) : answer;
      return { response, trailers: {} };
    }
    const { answers, failed } = await this.#all(input, opts);
    const trailers = { total_shards: String(this.#options.shards.length), failed_shards: String(failed) };
    const withError = answers.some((a) => a.isError);
    const response =
      usesAfter && !withError
        ? await sendTo(usesAfter, answers, opts)
        : reduceAnswers(answers, specificParams(input[0]?.parameters ?? {}, this.deployment));
    return { response, trailers };
  }

  /**
   * Stream one document to a streaming endpoint of the shards, fanned out by the endpoint's polling (ANY: one
   * shard streams; ALL: every shard streams, answers interleaved as they arrive; see `head-stream.ts`).
   * @example for await (const answer of head.streamDoc(req, { signal })) write(answer)
   */
  streamDoc(
    req: SingleDocumentRequest,
    ctx: HeadCallContext & { signal?: AbortSignal } = {},
  ): AsyncGenerator<SingleDocumentRequest> {
    const { shards, usesBefore, log } = this.#options;
    const mode = this.polling.modeOf(req.header.execEndpoint);
    return streamFromShards(
      {
        deployment: this.deployment,
        shards,
        mode,
        start: mode === 'ANY' ? this.#anyCursor++ % shards.length : 0,
        ...(usesBefore ? { usesBefore } : {}),
        ...(log ? { log } : {}),
        allFailed: (failures) => this.#allFailed('the stream', failures),
      },
      req,
      { ...sendOptions(ctx), ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
  }

  /** The union of the shards' endpoints (shards that cannot be reached are skipped while one answers). */
  async endpoints(ctx: HeadCallContext = {}): Promise<Endpoints> {
    const shards = this.#options.shards;
    const settled = await Promise.allSettled(shards.map((s) => s.endpointDiscovery(sendOptions(ctx))));
    const found = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (found.length === 0) throw this.#allFailed('endpoint_discovery', rejections(settled));
    const union = (pick: (e: Endpoints) => string[]) => [...new Set(found.flatMap(pick))];
    const schemas = Object.assign({}, ...found.map((e) => e.schemas ?? {}));
    return {
      endpoints: union((e) => e.endpoints),
      writeEndpoints: union((e) => e.writeEndpoints),
      ...(Object.keys(schemas).length > 0 ? { schemas } : {}),
    };
  }

  /** Close the connections to shards and executors. */
  close(): void {
    const { shards, usesBefore, usesAfter } = this.#options;
    for (const t of [...shards, usesBefore, usesAfter]) t?.close();
  }

  async #any(reqs: DataRequest[], opts: SendOptions): Promise<DataRequest> {
    const shards = this.#options.shards;
    const start = this.#anyCursor++ % shards.length;
    const failures: ShardFailure[] = [];
    for (let k = 0; k < shards.length; k++) {
      const shard = (start + k) % shards.length;
      try {
        return await sendTo(shards[shard] as HeadTarget, reqs, opts);
      } catch (err) {
        if (!(err instanceof UnavailableError)) throw err;
        failures.push({ shard, error: err });
      }
    }
    throw this.#allFailed('the request', failures);
  }

  async #all(reqs: DataRequest[], opts: SendOptions): Promise<{ answers: DataRequest[]; failed: number }> {
    const shards = this.#options.shards;
    const settled = await Promise.allSettled(shards.map((s) => sendTo(s, reqs, opts)));
    const answers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failures = rejections(settled);
    if (answers.length === 0) throw this.#allFailed('the request', failures);
    const failed = failures.length;
    if (failed > 0) {
      const which = failures.map((f) => `shard ${f.shard}: ${f.error.message}`);
      this.#options.log?.(
        `${failed} of ${shards.length} shards of '${this.deployment}' failed; answering from the others (${which.join('; ')})`,
      );
    }
    return { answers, failed };
  }

  /**
   * The error when no shard could serve: with one shard its own error; otherwise a non-transport error (a
   * deadline) as it is, or an UnavailableError naming every shard's addresses.
   */
  #allFailed(what: string, failures: readonly ShardFailure[]): Error {
    const first = failures[0]?.error as Error;
    if (failures.length === 1) return first;
    const other = failures.find((f) => !(f.error instanceof UnavailableError));
    if (other) return other.error;
    const shards = this.#options.shards;
    const lines = failures.map(
      (f) => `shard ${f.shard} (${shards[f.shard]?.addresses.join(', ')}): ${f.error.message}`,
    );
    return new UnavailableError(`no shard of '${this.deployment}' could serve ${what}: ${lines.join('; ')}`, {
      cause: first,
      details: { deployment: this.deployment, addresses: shards.flatMap((s) => s.addresses) },
    });
  }
}

function rejections(settled: readonly PromiseSettledResult<unknown>[]): ShardFailure[] {
  return settled.flatMap((s, shard) => (s.status === 'rejected' ? [{ shard, error: s.reason as Error }] : []));
}

function sendOptions(ctx: HeadCallContext): SendOptions {
  return {
    ...(ctx.deadline !== undefined && Number.isFinite(ctx.deadline) ? { deadline: ctx.deadline } : {}),
    ...(ctx.metadata ? { metadata: ctx.metadata } : {}),
  };
}

function sendTo(target: HeadTarget, reqs: DataRequest[], opts: SendOptions): Promise<DataRequest> {
  return reqs.length === 1 ? target.send(reqs[0] as DataRequest, opts) : target.sendList(reqs, opts);
}
