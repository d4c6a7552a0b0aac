/**
 * Client: talks to a weft (or Jina) gateway over grpc, http or websocket with one API. `post` splits inputs into
 * requests of `requestSize` documents, pipelines them, and returns the concatenated documents (or calls
 * `onDone`/`onError`/`onAlways` per response); executor errors reject with the rebuilt remote error unless
 * `continueOnError`. Transport errors are retried with exponential back-off.
 */

import type { Tracer } from '@opentelemetry/api';
import { Document, DocumentArray, type DocumentInit, type JsonObject } from '../document/index.js';
import { BadArgumentError, errorFromStatus, type Status, StatusCode, UnsupportedError } from '../errors/index.js';
import { type BackoffOptions, backoffBefore, formatHostPort, pause } from '../networking/index.js';
import {
  type DataRequest,
  type JinaInfo,
  newRequestId,
  type SingleDocumentRequest,
  timestampToMs,
} from '../request/index.js';
import { clientToken } from '../security/index.js';
import { type ClientSpan, startClientSpan } from './client-span.js';
import { buildRequests, type ClientInputs } from './inputs.js';
import { ProgressBar } from './progress.js';
import { answersWithin, type SentTimes } from './request-timeout.js';
import type { ClientTlsOptions } from './tls.js';
import { resolveTransport, type StreamCallOptions, type Transport } from './transport.js';

export interface ClientOptions {
  /** `grpc://h:p`, `grpcs://`, `http://`, `https://`, `ws://`, `wss://`, or a bare host name. */
  host?: string;
  port?: number;
  protocol?: 'grpc' | 'http' | 'websocket';
  /**
   * Speak TLS (the default for `grpcs://`, `https://`, `wss://`); an object also says how to trust the gateway's
   * certificate, e.g. `{ ca: readFileSync('cert.pem') }` for a self-signed one. Without `ca`, Node's bundled CAs
   * and those in NODE_EXTRA_CA_CERTS are trusted.
   */
  tls?: boolean | ClientTlsOptions;
  /** Show a progress bar on stderr when it is a TTY and a post sends more than one request (default true). */
  showProgress?: boolean;
  /**
   * An OpenTelemetry tracer: each call becomes a CLIENT span, and its `traceparent` header makes the Flow's spans
   * (gateway, heads, executors, with `tracing: true`) part of the same trace.
   */
  tracer?: Tracer;
  /**
   * The token of a gateway that wants one, sent on every call as `Authorization: Bearer <token>` (gRPC
   * `authorization` metadata); default: the `WEFT_TOKEN` environment variable.
   */
  token?: string;
}

export interface RetryOptions {
  /** Total tries for a transport failure (default 1: no retry). */
  maxAttempts?: number;
  /** The pause before the second try, in ms (default 500); each later pause is `backoffMultiplier` times longer. */
  initialBackoff?: number;
  /** The longest pause between tries, in ms (default 5000). */
  maxBackoff?: number;
  /** Growth of the pause from one try to the next (default 1.5). */
  backoffMultiplier?: number;
}

export interface PostOptions extends RetryOptions {
  parameters?: JsonObject;
  targetExecutor?: string;
  requestSize?: number;
  onDone?: (res: DataRequest) => void;
  onError?: (res: DataRequest) => void;
  onAlways?: (res: DataRequest) => void;
  resultsInOrder?: boolean;
  continueOnError?: boolean;
  /** Per-request timeout in ms, from the moment a request is sent (a `DeadlineExceededError` when it runs over). */
  timeout?: number;
  headers?: Record<string, string>;
  /**
   * At most this many requests sent and not yet answered (Jina's client `prefetch`): a generator of inputs is then
   * read no faster than the Flow answers. Default: 1000 over grpc (the gateway's own default), 16 over http,
   * unlimited over websocket.
   */
  prefetch?: number;
  /** Progress bar for this post (default: the Client's `showProgress`); drawn only on a TTY. */
  showProgress?: boolean;
}

export interface StreamDocOptions {
  parameters?: JsonObject;
  /** Regex over executor names: picks the executor whose streaming endpoint answers. */
  targetExecutor?: string;
  headers?: Record<string, string>;
  /** Give up with `DeadlineExceededError` when the stream has not ended within this many ms. */
  timeout?: number;
  /** Abort to stop the stream: the iteration ends quietly and the executor's generator is stopped. */
  signal?: AbortSignal;
}

const SCHEMES: Record<string, { protocol: 'grpc' | 'http' | 'websocket'; tls: boolean }> = {
  grpc: { protocol: 'grpc', tls: false },
  grpcs: { protocol: 'grpc', tls: true },
  http: { protocol: 'http', tls: false },
  https: { protocol: 'http', tls: true },
  ws: { protocol: 'websocket', tls: false },
  wss: { protocol: 'websocket', tls: true },
};

export class Client {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly showProgress: boolean;
  readonly #tlsOptions: ClientTlsOptions | undefined;
  readonly #tracer: Tracer | undefined;
  readonly #token: string | undefined;
  #transport: Transport | undefined;

  /**
   * @example const client = new Client({ host: 'grpc://localhost:12345' });
   */
  constructor(options: ClientOptions = {}) {
    let host = options.host ?? '127.0.0.1';
    let protocol = options.protocol;
    let tls = typeof options.tls === 'object' ? true : options.tls;
    let port = options.port;
    const m = /^([a-z]+):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
    if (m) {
      const scheme = SCHEMES[m[1] as string];
      if (!scheme)
        throw new BadArgumentError(`unknown scheme in host '${host}'; use grpc, grpcs, http, https, ws or wss`);
      protocol ??= scheme.protocol;
      tls ??= scheme.tls;
      host = m[2] as string;
      if (m[3]) port ??= Number(m[3]);
    }
    this.protocol = protocol ?? 'grpc';
    this.tls = tls ?? false;
    this.#tlsOptions = typeof options.tls === 'object' ? options.tls : undefined;
    this.host = host;
    this.port = port ?? (this.tls ? 443 : 80);
    this.showProgress = options.showProgress ?? true;
    this.#tracer = options.tracer;
    this.#token = clientToken(options.token);
  }

  get transport(): Transport {
    this.#transport ??= resolveTransport(this.protocol, {
      host: this.host,
      port: this.port,
      tls: this.tls,
      ...(this.#tlsOptions ? { tlsOptions: this.#tlsOptions } : {}),
      ...(this.#token ? { headers: { authorization: `Bearer ${this.#token}` } } : {}),
    });
    return this.#transport;
  }

  /**
   * Send `inputs` to `endpoint`; resolves with every returned document (in input order with `resultsInOrder`).
   * @example const docs = await client.post('/search', [{ text: 'red dress' }], { parameters: { limit: 5 } });
   */
  async post(endpoint: string, inputs?: ClientInputs, options: PostOptions = {}): Promise<DocumentArray> {
    const collect = !options.onDone && !options.onError && !options.onAlways;
    const results: { index: number; docs: DocumentArray }[] = [];
    let firstError: Error | undefined;
    for await (const { res, index } of this.#responses(endpoint, inputs, options)) {
      const failed = res.isError;
      if (failed) {
        options.onError?.(res);
        if (!options.continueOnError && !options.onError) firstError ??= errorFromStatus(res.header.status as Status);
      } else options.onDone?.(res);
      options.onAlways?.(res);
      if (collect && !failed) results.push({ index, docs: res.docs });
    }
    if (firstError) throw firstError;
    if (options.resultsInOrder) results.sort((a, b) => a.index - b.index);
    const all = new DocumentArray();
    for (const r of results) all.extend(r.docs);
    return all;
  }

  /**
   * One document to a streaming endpoint (an executor method that is an async generator); its documents as the
   * executor yields them. Over grpc this is `jina.JinaSingleDocumentRequestRPC/stream_doc`, over http Server-Sent
   * Events; websocket has no streaming endpoints (`UnsupportedError`). An executor exception rejects the iteration
   * with the rebuilt remote error after the documents yielded before it; leaving the loop early stops the generator.
   * @example for await (const doc of client.streamDoc('/chat', { text: 'hello' })) process.stdout.write(doc.text ?? '')
   */
  async *streamDoc(
    endpoint: string,
    doc: Document | DocumentInit,
    options: StreamDocOptions = {},
  ): AsyncGenerator<Document> {
    const transport = this.transport;
    if (!transport.streamDoc) {
      throw new UnsupportedError(
        `streamDoc is not available over ${this.protocol}: streaming endpoints are served over grpc (stream_doc) and http (Server-Sent Events)`,
        { details: { protocol: this.protocol } },
      );
    }
    const req: SingleDocumentRequest = {
      header: {
        requestId: newRequestId(),
        execEndpoint: endpoint,
        ...(options.targetExecutor ? { targetExecutor: options.targetExecutor } : {}),
      },
      parameters: options.parameters ?? {},
      routes: [],
      document: doc instanceof Document ? doc : new Document(doc),
    };
    const span = this.#tracer
      ? await startClientSpan(this.#tracer, endpoint, this.protocol, options.headers)
      : undefined;
    const headers = span?.headers ?? options.headers;
    const answers = transport.streamDoc(req, {
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
      ...(headers ? { headers } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const res of span ? traced(span, answers) : answers) {
      const status = res.header.status;
      if (status && status.code === StatusCode.ERROR) throw errorFromStatus(status);
      if (res.document) yield res.document;
    }
  }

  /** Responses as they arrive (each a DataRequest with header, parameters, routes and docs). */
  async *stream(endpoint: string, inputs?: ClientInputs, options: PostOptions = {}): AsyncGenerator<DataRequest> {
    for await (const { res } of this.#responses(endpoint, inputs, options)) yield res;
  }

  /** True when the gateway answers its health check. */
  isFlowReady(timeoutMs = 3000): Promise<boolean> {
    return this.transport.isReady(timeoutMs);
  }

  /** Push an empty request through every executor; code 0 when all are up. */
  dryRun(timeoutMs = 10_000): Promise<Status> {
    return this.transport.dryRun(timeoutMs);
  }

  /** Versions and environment of the gateway. */
  status(timeoutMs = 3000): Promise<JinaInfo> {
    return this.transport.status(timeoutMs);
  }

  /** Per-hop timings (ms) of one round trip, from the route entries: `{ roundtrip, gateway, <executor>: ms }`. */
  async profiling(endpoint = '/', inputs?: ClientInputs): Promise<Record<string, number>> {
    const t0 = performance.now();
    let last: DataRequest | undefined;
    for await (const res of this.stream(endpoint, inputs ?? [{}])) last = res;
    const out: Record<string, number> = { roundtrip: performance.now() - t0 };
    for (const r of last?.routes ?? []) {
      if (r.startTime && r.endTime) out[r.executor] = timestampToMs(r.endTime) - timestampToMs(r.startTime);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#transport?.close();
    this.#transport = undefined;
  }

  async *#responses(
    endpoint: string,
    inputs: ClientInputs,
    options: PostOptions,
  ): AsyncGenerator<{ res: DataRequest; index: number }> {
    if (this.#tracer === undefined) {
      yield* this.#untraced(endpoint, inputs, options);
      return;
    }
    const span = await startClientSpan(this.#tracer, endpoint, this.protocol, options.headers);
    yield* traced(span, this.#untraced(endpoint, inputs, { ...options, headers: span.headers }));
  }

  async *#untraced(
    endpoint: string,
    inputs: ClientInputs,
    options: PostOptions,
  ): AsyncGenerator<{ res: DataRequest; index: number }> {
    const maxAttempts = Math.max(1, options.maxAttempts ?? 1);
    const backoff: BackoffOptions = {
      initialMs: options.initialBackoff ?? 500,
      maxMs: options.maxBackoff ?? 5000,
      multiplier: options.backoffMultiplier ?? 1.5,
    };
    // tries made so far, which is also the 0-based number of the next one
    let attempt = 1;
    if (maxAttempts > 1) {
      // a gateway that is not up yet: wait for it with back-off before sending anything
      while (!(await this.transport.isReady(Math.min(3000, options.maxBackoff ?? 3000))) && attempt < maxAttempts) {
        await pause(backoffBefore(attempt, backoff));
        attempt++;
      }
    }
    // arrays can be sent again after a transport failure; generators cannot
    const replayable = !isOneShot(inputs);
    const requestSize = options.requestSize ?? 100;
    const progress = new ProgressBar({
      enabled: options.showProgress ?? this.showProgress,
      ...(knownLength(inputs) !== undefined
        ? { total: Math.max(1, Math.ceil((knownLength(inputs) as number) / requestSize)) }
        : {}),
    });
    const gateway = `${this.protocol} gateway at ${formatHostPort(this.host, this.port)}`;
    try {
      for (; ; attempt++) {
        const order = new Map<string, number>();
        const sent: SentTimes = new Map();
        // made when a transport asks for the signal (an AbortController costs more than sending a small request)
        let abort: AbortController | undefined;
        const streamOptions: StreamCallOptions = {
          ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
          ...(options.headers ? { headers: options.headers } : {}),
          ...(options.prefetch !== undefined ? { prefetch: options.prefetch } : {}),
        };
        Object.defineProperty(streamOptions, 'signal', {
          get: () => {
            abort ??= new AbortController();
            return abort.signal;
          },
          enumerable: true,
        });
        let n = 0;
        let received = 0;
        const requests = buildRequests(inputs, {
          endpoint,
          ...(options.parameters ? { parameters: options.parameters } : {}),
          ...(options.targetExecutor ? { targetExecutor: options.targetExecutor } : {}),
          requestSize,
        });
        const timed = options.timeout !== undefined;
        const numbered = async function* (): AsyncGenerator<DataRequest> {
          for await (const r of requests) {
            order.set(r.header.requestId, n++);
            if (timed) sent.set(r.header.requestId, performance.now());
            progress.sent();
            yield r;
          }
        };
        const answers = this.transport.stream(numbered(), streamOptions);
        try {
          for await (const res of timed ? answersWithin(answers, sent, options.timeout as number, gateway) : answers) {
            received++;
            progress.answered(() => res.docs.length, res.isError);
            yield { res, index: order.get(res.header.requestId) ?? Number.MAX_SAFE_INTEGER };
          }
          return;
        } catch (err) {
          abort?.abort(err);
          if (attempt >= maxAttempts || received > 0 || !replayable || !isRetryable(err)) throw err;
          progress.reset();
          await pause(backoffBefore(attempt, backoff));
        }
      }
    } finally {
      progress.finish();
    }
  }
}

/** How many documents the inputs hold, when that is known before sending (arrays, DocumentArrays). */
function knownLength(inputs: ClientInputs): number | undefined {
  if (Array.isArray(inputs) || inputs instanceof DocumentArray) return inputs.length;
  return undefined;
}

function isOneShot(inputs: ClientInputs): boolean {
  if (inputs === undefined || inputs === null || Array.isArray(inputs)) return false;
  if (inputs instanceof DocumentArray) return false;
  const it = inputs as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown; next?: unknown };
  return typeof it.next === 'function' || typeof it[Symbol.asyncIterator] === 'function';
}

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: boolean }).retryable === true;
}

/** `items`, with `span` ended when they end (failed when they throw). */
async function* traced<T>(span: ClientSpan, items: AsyncIterable<T>): AsyncGenerator<T> {
  let failure: unknown;
  try {
    yield* items;
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    span.end(failure);
  }
}
