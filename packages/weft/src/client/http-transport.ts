/**
 * The HTTP client transport (`http://`, `https://`), Jina's HTTP client on the wire: one `POST /post` per request
 * (Jina's JSON, `requestToJson`), at most `prefetch` (default 16) in flight over keep-alive connections, answers
 * yielded as they complete. An error answer becomes the weft error of the code its body names (`wireOfBody`: the
 * class raised behind the gateway), or, from a gateway that names none, of its HTTP status: 503
 * `UnavailableError`, 504 `DeadlineExceededError`, 400 `BadRequestError`, 413 `MessageTooLargeError`. Executor
 * errors come back in-band (200 with `header.status`), for the Client to raise. Health is `GET /`, dry run
 * `GET /dry_run`, status `GET /status`.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  CancelledError,
  DeadlineExceededError,
  DecodeError,
  fromWire,
  type Status,
  StatusCode,
  UnavailableError,
  WeftError,
  wireOfBody,
} from '../errors/index.js';
import { formatHost } from '../networking/index.js';
import {
  type DataRequest,
  type JinaInfo,
  requestFromJson,
  requestToJson,
  type SingleDocumentRequest,
  statusFromJson,
} from '../request/index.js';
import { AnswerQueue } from './answer-queue.js';
import { sseStreamDoc } from './sse-client.js';
import { nodeTlsOptions, plainClientHint, type TlsContext, tlsFailure } from './tls.js';
import type { StreamCallOptions, Transport, TransportTarget } from './transport.js';

/** Requests in flight per `stream` when the caller sets no `prefetch`. */
export const DEFAULT_HTTP_PREFETCH = 16;

interface HttpAnswer {
  status: number;
  text: string;
}

interface CallOptions {
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** The stream's requests in flight, cancelled together when the stream gives up. */
  group?: RequestGroup | undefined;
  /** The data request sent, named when it runs over `timeoutMs`. */
  requestId?: string | undefined;
}

/**
 * The requests in flight of one `stream`, cancelled together by a single abort listener. Handing each request the
 * stream's signal (`http.request({ signal })`) would add one listener per request in flight to that one signal,
 * and Node warns (MaxListenersExceededWarning) past 10 of them, which any `prefetch` over 10 reaches.
 */
class RequestGroup {
  readonly #requests = new Set<ClientRequest>();
  readonly #signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener('abort', () => {
      for (const req of this.#requests) req.destroy(cancelled());
      this.#requests.clear();
    });
  }

  /** Cancel `req` with the others (at once when the stream already gave up); forgotten once it closes. */
  add(req: ClientRequest): void {
    if (this.#signal.aborted) {
      req.destroy(cancelled());
      return;
    }
    this.#requests.add(req);
    req.once('close', () => this.#requests.delete(req));
  }
}

function cancelled(): Error {
  return Object.assign(new Error('the call was cancelled'), { name: 'AbortError' });
}

export class HttpTransport implements Transport {
  readonly protocol = 'http';
  /** `http://host:port` (or `https://`). */
  readonly url: string;
  readonly #target: TransportTarget;
  readonly #agent: HttpAgent;
  readonly #tls: TlsContext;

  constructor(target: TransportTarget) {
    this.#target = target;
    const host = formatHost(target.host);
    this.url = `${target.tls ? 'https' : 'http'}://${host}:${target.port}`;
    this.#tls = { tls: target.tls, url: this.url, schemes: ['http', 'https'] };
    const agentOptions = { keepAlive: true, scheduling: 'lifo' as const };
    this.#agent = target.tls
      ? new HttpsAgent({ ...agentOptions, ...nodeTlsOptions(target.tlsOptions) })
      : new HttpAgent(agentOptions);
  }

  async *stream(requests: AsyncIterable<DataRequest>, options: StreamCallOptions): AsyncIterable<DataRequest> {
    const limit = options.prefetch && options.prefetch > 0 ? options.prefetch : DEFAULT_HTTP_PREFETCH;
    const answers = new AnswerQueue<DataRequest>();
    const controller = new AbortController();
    // the Client aborts when it gives up on the call: cancel what is in flight and stop reading the input
    const giveUp = (): void => controller.abort();
    if (options.signal?.aborted) giveUp();
    options.signal?.addEventListener('abort', giveUp, { once: true });
    let inFlight = 0;
    let inputDone = false;
    let slotFreed: (() => void) | undefined;
    const call = { timeoutMs: options.timeoutMs, headers: options.headers, group: new RequestGroup(controller.signal) };
    const send = (req: DataRequest): void => {
      inFlight++;
      this.#post(req, call)
        .then(
          (res) => answers.push(res),
          (err) => {
            answers.fail(err);
            controller.abort();
          },
        )
        .finally(() => {
          inFlight--;
          const wake = slotFreed;
          slotFreed = undefined;
          wake?.();
          if (inputDone && inFlight === 0) answers.end();
        });
    };
    // the input is read only when a request may go out, so a generator runs no further ahead than `prefetch`
    const input = requests[Symbol.asyncIterator]();
    const feed = (async () => {
      try {
        for (;;) {
          while (inFlight >= limit && !controller.signal.aborted) {
            await new Promise<void>((resolve) => {
              slotFreed = resolve;
            });
          }
          if (controller.signal.aborted) {
            await input.return?.();
            break;
          }
          const next = await input.next();
          if (next.done) break;
          send(next.value);
        }
      } catch (err) {
        answers.fail(err);
        controller.abort();
      }
      inputDone = true;
      if (inFlight === 0) answers.end();
    })();
    try {
      yield* answers;
    } finally {
      options.signal?.removeEventListener('abort', giveUp);
      controller.abort();
      slotFreed?.();
      await feed;
    }
  }

  async isReady(timeoutMs: number): Promise<boolean> {
    try {
      return (await this.#call('GET', '/', undefined, { timeoutMs })).status === 200;
    } catch {
      return false;
    }
  }

  async dryRun(timeoutMs: number): Promise<Status> {
    try {
      const json = this.#json(await this.#call('GET', '/dry_run', undefined, { timeoutMs }), 'GET /dry_run');
      return statusFromJson(json);
    } catch (err) {
      return { code: StatusCode.ERROR, description: (err as Error).message };
    }
  }

  async status(timeoutMs: number): Promise<JinaInfo> {
    const json = this.#json(await this.#call('GET', '/status', undefined, { timeoutMs }), 'GET /status') as Partial<
      Record<keyof JinaInfo, unknown>
    >;
    const strings = (v: unknown): Record<string, string> =>
      Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
    return { jina: strings(json.jina), envs: strings(json.envs) };
  }

  /** A streaming endpoint's answers: `POST /<endpoint>` with `Accept: text/event-stream` (`sse-client.ts`). */
  streamDoc(req: SingleDocumentRequest, options: StreamCallOptions): AsyncIterable<SingleDocumentRequest> {
    return sseStreamDoc({ url: this.url, target: this.#target, agent: this.#agent, errorFromHttp }, req, options);
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }

  /** One request: POST /post, then the answer as a DataRequest (or the error its HTTP status stands for). */
  async #post(req: DataRequest, options: CallOptions): Promise<DataRequest> {
    const body = JSON.stringify(requestToJson(req));
    const answer = await this.#call('POST', '/post', body, { ...options, requestId: req.header.requestId });
    const json = this.#json(answer, 'POST /post');
    try {
      return requestFromJson(json);
    } catch (err) {
      throw new DecodeError(`${this.url}/post answered a body that is not a request: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** The JSON of a 200 answer; any other status throws the weft error it stands for. */
  #json(answer: HttpAnswer, what: string): unknown {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      json = undefined;
    }
    if (answer.status === 200 && json !== undefined) return json;
    if (answer.status === 200) throw new DecodeError(`${what} on ${this.url} answered something that is not JSON`);
    throw errorFromHttp(answer.status, json, answer.text, `${what} on ${this.url}`);
  }

  /** One HTTP exchange; a reset keep-alive connection is retried once on a fresh one (it never reached the server). */
  async #call(method: string, path: string, body: string | undefined, options: CallOptions): Promise<HttpAnswer> {
    try {
      return await this.#exchange(method, path, body, options);
    } catch (err) {
      if ((err as { reusedSocket?: boolean }).reusedSocket) return this.#exchange(method, path, body, options);
      throw err;
    }
  }

  #exchange(method: string, path: string, body: string | undefined, options: CallOptions): Promise<HttpAnswer> {
    const t = this.#target;
    const headers: Record<string, string | number> = {
      accept: 'application/json',
      ...t.headers,
      ...options.headers,
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const opts: RequestOptions = { host: t.host, port: t.port, method, path, agent: this.#agent, headers };
    return new Promise<HttpAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let answered = false;
      const req = (t.tls ? httpsRequest : httpRequest)(opts, (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(this.#networkError(err, method, path));
        });
      });
      if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
        const ms = options.timeoutMs;
        // a data request's words are the Client's own for its per-request timeout, whichever of the two fires first
        const message =
          options.requestId === undefined
            ? `${method} ${path} on ${this.url} did not answer within ${ms} ms`
            : `no answer to request ${options.requestId} within ${ms} ms from the http gateway at ${this.url} (${method} ${path})`;
        timer = setTimeout(() => req.destroy(new DeadlineExceededError(message)), ms);
      }
      req.on('error', (err) => {
        clearTimeout(timer);
        // the gateway may answer (413) and close before the whole body is written: keep its answer
        if (answered) return;
        const e = this.#networkError(err, method, path);
        if (req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET')
          Object.assign(e, { reusedSocket: true });
        reject(e);
      });
      options.group?.add(req);
      req.end(body);
    });
  }

  #networkError(err: Error, method: string, path: string): Error {
    if (err instanceof WeftError) return err;
    if (err.name === 'AbortError')
      return new CancelledError(`${method} ${path} on ${this.url} was cancelled`, { cause: err });
    const tlsError = tlsFailure(err, this.#tls);
    if (tlsError) return tlsError;
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    return new UnavailableError(
      `HTTP gateway at ${this.url} is unavailable (${code}); check that it is running and serves ${this.#target.tls ? 'https' : 'http'} on port ${this.#target.port}${plainClientHint(err, this.#tls)}`,
      { cause: err, details: { url: this.url, code } },
    );
  }
}

/**
 * The weft error an HTTP error answer stands for (`wireOfBody`: the code its body names, else its HTTP status),
 * with the gateway's own message (`detail` or `header.status`).
 */
export function errorFromHttp(status: number, json: unknown, text: string, what: string): WeftError {
  const wire = wireOfBody(status, json);
  const body = (typeof json === 'object' && json !== null ? json : {}) as { field?: unknown };
  const details = { httpStatus: status, ...(typeof body.field === 'string' ? { field: body.field } : {}) };
  const message = `${what}: ${wire.message || text.slice(0, 500) || `HTTP ${status}`}`;
  // a 404: the route is not there (debug endpoints off, or not a weft or Jina gateway at all)
  const hint =
    status === 404
      ? ' (is this a weft or Jina HTTP gateway with its debug endpoints on?)'
      : wire.code === 'WEFT_ERROR'
        ? ` (HTTP ${status})`
        : '';
  return fromWire(wire, { message: `${message}${hint}`, details });
}
