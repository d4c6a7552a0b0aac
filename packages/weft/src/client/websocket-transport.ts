/**
 * The WebSocket client transport (`ws://`, `wss://`): one socket per `post`/`stream` on the gateway's `/`, with
 * the `bytes` subprotocol (a serialized DataRequestProto per message both ways). Requests are sent as the input
 * yields them (at most `prefetch` unanswered), then the end-of-input byte; answers are yielded as they arrive.
 * A close other than a normal one after the last answer becomes a weft error: the class of the code a weft
 * gateway's reason starts with (`wireOfCloseReason`), else by close code: 1011 an `UnavailableError` or
 * `DeadlineExceededError` carrying the gateway's reason, 1007 a `BadRequestError`, 1009 a `MessageTooLargeError`,
 * 1001 and a lost connection an `UnavailableError`. Health, dry run and status
 * use the HTTP routes the same port serves (`GET /`, `/dry_run`, `/status`).
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { WebSocket } from 'ws';
import {
  BadRequestError,
  CancelledError,
  DeadlineExceededError,
  DecodeError,
  fromWire,
  isErrorCode,
  MessageTooLargeError,
  ProtocolError,
  type Status,
  StatusCode,
  UnavailableError,
  WeftError,
  wireOfBody,
  wireOfCloseReason,
} from '../errors/index.js';
import { formatHost } from '../networking/index.js';
import { type DataRequest, decodeDataRequest, encodeDataRequest, type JinaInfo } from '../request/index.js';
import { AnswerQueue } from './answer-queue.js';
import { httpGet } from './http-get.js';
import { errorFromHttp } from './http-transport.js';
import { type ClientTlsOptions, nodeTlsOptions, plainClientHint, type TlsContext, tlsFailure } from './tls.js';
import type { StreamCallOptions, Transport, TransportTarget } from './transport.js';

// `ws` loads on first use (its CommonJS build keeps that synchronous): `weft` is imported by every runtime process,
// few of them ever open a WebSocket.
let wsLib: typeof import('ws') | undefined;
const WebSocketClass = (): typeof WebSocket =>
  (wsLib ??= createRequire(import.meta.url)('ws') as typeof import('ws')).WebSocket;

/**
 * Frames go out with an all-zero masking key, which ws neither applies nor removes: masking protects HTTP
 * intermediaries from payloads crafted by untrusted scripts in a browser, which a Node client is not, and on
 * Node 20 ws masks and unmasks in JavaScript, an XOR pass over every byte at both ends (about a tenth of the
 * gateway's CPU with embeddings; see bench/protocols.bench.ts).
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** Pause sending while this much is buffered in the socket. */
const HIGH_WATER = 4 * 1024 * 1024;
const END_OF_INPUT = Buffer.from([0]);

export class WebSocketTransport implements Transport {
  readonly protocol = 'websocket';
  /** `ws://host:port` (or `wss://`). */
  readonly url: string;
  readonly #http: string;
  readonly #tls: TlsContext;
  readonly #tlsOptions: ClientTlsOptions | undefined;
  readonly #headers: Readonly<Record<string, string>> | undefined;

  constructor(target: TransportTarget) {
    this.#headers = target.headers;
    const host = formatHost(target.host);
    this.url = `${target.tls ? 'wss' : 'ws'}://${host}:${target.port}`;
    this.#http = `${target.tls ? 'https' : 'http'}://${host}:${target.port}`;
    this.#tls = { tls: target.tls, url: this.url, schemes: ['ws', 'wss'] };
    this.#tlsOptions = target.tls ? target.tlsOptions : undefined;
  }

  async *stream(requests: AsyncIterable<DataRequest>, options: StreamCallOptions): AsyncIterable<DataRequest> {
    const ws = new (WebSocketClass())(`${this.url}/`, ['bytes'], {
      perMessageDeflate: false,
      maxPayload: 0,
      generateMask: zeroMask,
      ...(options.headers || this.#headers ? { headers: { ...this.#headers, ...options.headers } } : {}),
      ...nodeTlsOptions(this.#tlsOptions),
    });
    const answers = new AnswerQueue<DataRequest>();
    const limit = options.prefetch && options.prefetch > 0 ? options.prefetch : Number.POSITIVE_INFINITY;
    let sent = 0;
    let received = 0;
    let inputDone = false;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', (err) => answers.fail(this.#connectError(err)));
    ws.on('unexpected-response', (_req, res) => {
      const fallback =
        res.statusCode === 503
          ? new UnavailableError(`websocket gateway at ${this.url} is shutting down or not ready (HTTP 503)`)
          : new ProtocolError(
              `${this.url}/ answered HTTP ${res.statusCode} instead of accepting a WebSocket; is it a weft or Jina websocket gateway?`,
              { details: { url: this.url, httpStatus: res.statusCode } },
            );
      // a weft gateway that refuses the upgrade (a limit, say) says why in a coded JSON body
      void codedRefusal(res).then((err) => {
        answers.fail(err ?? fallback);
        ws.terminate();
      });
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        answers.fail(new ProtocolError(`websocket gateway at ${this.url} answered text in bytes mode`));
        ws.terminate();
        return;
      }
      try {
        answers.push(decodeDataRequest(toBuffer(data)));
      } catch (err) {
        answers.fail(err);
        ws.terminate();
        return;
      }
      received++;
      notify();
    });
    ws.on('close', (code, reasonBytes) => {
      const reason = reasonBytes.toString('utf8');
      if (code === 1000 && inputDone && received >= sent) answers.end();
      else answers.fail(this.#closeError(code, reason, sent - received));
      notify();
    });

    const abort = (): void => {
      answers.fail(options.signal?.reason ?? new CancelledError('the call was aborted'));
      ws.terminate();
    };
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });

    const feed = (async () => {
      await opened;
      for await (const req of requests) {
        while (sent - received >= limit && ws.readyState === ws.OPEN) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        if (ws.readyState !== ws.OPEN) return;
        sent++;
        await send(ws, encodeDataRequest(req));
      }
      if (ws.readyState !== ws.OPEN) return;
      inputDone = true;
      await send(ws, END_OF_INPUT);
    })().catch((err: unknown) => {
      // the inputs failed (a throwing generator) or the socket did: the stream ends with that error
      answers.fail(
        err instanceof WeftError || !(err instanceof Error && 'code' in err) ? err : this.#connectError(err),
      );
      ws.terminate();
    });

    try {
      yield* answers;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      if (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN) ws.terminate();
      notify();
      await feed;
    }
  }

  async isReady(timeoutMs: number): Promise<boolean> {
    try {
      const res = await httpGet(`${this.#http}/`, timeoutMs, this.#tlsOptions, this.#headers);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }

  async dryRun(timeoutMs: number): Promise<Status> {
    try {
      const body = (await this.#getJson('/dry_run', timeoutMs)) as Partial<Status>;
      return {
        code: typeof body.code === 'number' ? body.code : StatusCode.ERROR,
        description: body.description ?? '',
        ...(body.exception ? { exception: body.exception } : {}),
      };
    } catch (err) {
      return { code: StatusCode.ERROR, description: (err as Error).message };
    }
  }

  async status(timeoutMs: number): Promise<JinaInfo> {
    const body = (await this.#getJson('/status', timeoutMs)) as Partial<JinaInfo>;
    return { jina: body.jina ?? {}, envs: body.envs ?? {} };
  }

  async close(): Promise<void> {}

  async #getJson(path: string, timeoutMs: number): Promise<unknown> {
    let res: { status: number; text: string };
    try {
      res = await httpGet(`${this.#http}${path}`, timeoutMs, this.#tlsOptions, this.#headers);
    } catch (err) {
      const tlsError = tlsFailure(err, { ...this.#tls, url: this.#http });
      if (tlsError) throw tlsError;
      const timedOut = (err as Error).name === 'TimeoutError';
      const Cls = timedOut ? DeadlineExceededError : UnavailableError;
      throw new Cls(
        timedOut
          ? `websocket gateway at ${this.#http} did not answer GET ${path} within ${timeoutMs} ms`
          : `websocket gateway at ${this.#http} is unavailable (${causeOf(err)}); check that the Flow is running${plainClientHint(err, this.#tls)}`,
        { cause: err, details: { url: `${this.#http}${path}` } },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      let json: unknown;
      try {
        json = JSON.parse(res.text);
      } catch {
        json = undefined;
      }
      throw errorFromHttp(res.status, json, res.text, `GET ${this.#http}${path}`);
    }
    try {
      return JSON.parse(res.text);
    } catch (err) {
      throw new DecodeError(`GET ${this.#http}${path} answered something that is not JSON`, { cause: err });
    }
  }

  #connectError(err: unknown): Error {
    if (err instanceof WeftError) return err;
    const tlsError = tlsFailure(err, this.#tls);
    if (tlsError) return tlsError;
    return new UnavailableError(
      `websocket gateway at ${this.url} is unavailable (${causeOf(err)}); check that the Flow is running and serves websocket on that port${plainClientHint(err, this.#tls)}`,
      { cause: err, details: { url: this.url } },
    );
  }

  /** The error a close frame stands for (a weft gateway's reason starts with the error's code: `wireOfCloseReason`). */
  #closeError(code: number, reason: string, unanswered: number): Error {
    const wire = wireOfCloseReason(reason);
    const text = wire ? wire.message : reason;
    const via = `(websocket gateway ${this.url}, close ${code})`;
    const details = { url: this.url, closeCode: code, reason, unanswered };
    if (wire && code !== 1000) return fromWire(wire, { message: `${text} ${via}`, details });
    switch (code) {
      case 1000:
        return new UnavailableError(
          `websocket gateway at ${this.url} closed the connection with ${unanswered} request(s) unanswered`,
          { details },
        );
      case 1001:
        return new UnavailableError(`${text || 'the gateway is going away'} ${via}`, { details });
      case 1007:
        return new BadRequestError(`${text || 'the gateway rejected a message'} ${via}`, { details });
      case 1009:
        return new MessageTooLargeError(`${text || 'a message is over the gateway’s size limit'} ${via}`, { details });
      case 1011: {
        if (/timed? ?out|timeout|deadline/i.test(text)) return new DeadlineExceededError(`${text} ${via}`, { details });
        return new UnavailableError(`${text || 'network error in the gateway'} ${via}`, { details });
      }
      default:
        return new UnavailableError(
          `websocket connection to ${this.url} ended (close ${code}${reason ? `: ${reason}` : ''}) with ${unanswered} request(s) unanswered`,
          { details },
        );
    }
  }
}

/** Send one message; resolves at once unless the socket's buffer is over the high-water mark. */
function send(ws: WebSocket, data: Uint8Array): Promise<void> {
  if (ws.bufferedAmount < HIGH_WATER) {
    ws.send(data, { binary: true });
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => ws.send(data, { binary: true }, (err) => (err ? reject(err) : resolve())));
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function causeOf(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; code?: string; message?: string };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** The weft error a refused upgrade's JSON body names (`code`), if it names one; reads at most 64 KiB. */
async function codedRefusal(res: IncomingMessage): Promise<WeftError | undefined> {
  if (!/json/.test(String(res.headers['content-type'] ?? ''))) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > 65_536) return undefined;
      chunks.push(chunk as Buffer);
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    if (!isErrorCode(body.code)) return undefined;
    return fromWire(wireOfBody(res.statusCode, body));
  } catch {
    return undefined;
  }
}
