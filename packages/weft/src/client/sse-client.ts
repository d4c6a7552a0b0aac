/**
 * The HTTP side of `Client.streamDoc`: `POST /<endpoint>` with `Accept: text/event-stream` and the document in
 * the body, then the gateway's Server-Sent Events read as they arrive: each `event: update` is a document, `end`
 * ends the stream, `error` rejects with the error it carries (an `ExecutorError` for the executor's exception).
 * An endpoint without a route of its own (404) is asked again on `/post`, which names it in the body.
 * Stopping the iteration early (or aborting the signal) closes the connection, which stops the executor's
 * generator on the other side. `SseParser` is the event-stream format on its own (any line ending).
 */
import type { ClientRequest, Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Document, type DocumentJson } from '../document/index.js';
import {
  DeadlineExceededError,
  DecodeError,
  fromWire,
  UnavailableError,
  WeftError,
  wireOfBody,
} from '../errors/index.js';
import type { SingleDocumentRequest } from '../request/index.js';
import type { StreamCallOptions, TransportTarget } from './transport.js';

/** One Server-Sent Event: its name (`message` when it has none) and its data lines joined with `\n`. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Incremental parser of `text/event-stream`: feed it text as it arrives, get the complete events back. Comment
 * lines (`: ping`) are skipped; `id` and `retry` fields are ignored.
 * @example const p = new SseParser(); p.push('event: update\r\ndata: {}\r\n\r\n') // [{ event: 'update', data: '{}' }]
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.#buffer);
      // a '\r' at the very end may be the first half of a '\r\n' still on its way
      if (!m || (m[0] === '\r' && m.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, m.index);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      if (line === '') {
        if (this.#event || this.#data.length > 0)
          out.push({ event: this.#event || 'message', data: this.#data.join('\n') });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
    }
    return out;
  }
}

export interface SseCall {
  /** `http://host:port` (or `https://`). */
  url: string;
  target: TransportTarget;
  agent: HttpAgent | HttpsAgent;
  /** The weft error a non-200 answer stands for (the HTTP transport's own mapping). */
  errorFromHttp(status: number, json: unknown, text: string, what: string): Error;
}

/** `req` to the gateway's streaming route; its answers (one document each) as the events arrive. */
export async function* sseStreamDoc(
  call: SseCall,
  req: SingleDocumentRequest,
  options: StreamCallOptions = {},
): AsyncGenerator<SingleDocumentRequest> {
  const endpoint = req.header.execEndpoint || '/default';
  const path = endpoint.startsWith('/') ? endpoint : `/${endpoint}`;
  const what = `POST ${path} (text/event-stream) on ${call.url}`;
  const body = JSON.stringify({
    data: req.document?.toJSON() ?? {},
    parameters: req.parameters,
    header: { requestId: req.header.requestId },
    execEndpoint: endpoint,
    ...(req.header.targetExecutor ? { targetExecutor: req.header.targetExecutor } : {}),
  });
  const t = call.target;
  let request: ClientRequest | undefined;
  let stopped = false;
  let timedOut: DeadlineExceededError | undefined;
  /** POST the body to `at`; resolves with the answer's head. */
  const open = (at: string): Promise<IncomingMessage> => {
    const opts: RequestOptions = {
      host: t.host,
      port: t.port,
      method: 'POST',
      path: encodeURI(at),
      agent: call.agent,
      headers: {
        accept: 'text/event-stream',
        ...t.headers,
        ...options.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    };
    const r = (t.tls ? httpsRequest : httpRequest)(opts);
    request = r;
    if (stopped || timedOut) r.destroy(timedOut);
    return new Promise<IncomingMessage>((resolve, reject) => {
      r.once('response', resolve);
      r.once('error', reject);
      r.end(body);
    });
  };
  const stop = (): void => {
    stopped = true;
    request?.destroy();
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
    const ms = options.timeoutMs;
    timer = setTimeout(() => {
      timedOut = new DeadlineExceededError(`${what} did not end within ${ms} ms`);
      request?.destroy(timedOut);
    }, ms);
  }
  let finished = false;
  try {
    let res = await open(path);
    if (res.statusCode === 404 && path !== '/post') {
      // an endpoint without a route of its own (no executor declares it): the gateway's /post serves it too
      await readAll(res);
      res = await open('/post');
    }
    if (res.statusCode !== 200 || !String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      const text = await readAll(res);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      throw call.errorFromHttp(res.statusCode ?? 0, json, text, what);
    }
    res.setEncoding('utf8');
    const parser = new SseParser();
    for await (const chunk of res) {
      for (const e of parser.push(chunk as string)) {
        if (e.event === 'update') yield answer(req, e.data, what);
        else if (e.event === 'error') throw errorFromEvent(e.data, what);
        else if (e.event === 'end') {
          finished = true;
          return;
        }
      }
    }
    if (!stopped) throw new UnavailableError(`${what}: the stream ended without its end event (the gateway went away)`);
  } catch (err) {
    if (stopped) return;
    if (timedOut) throw timedOut;
    if (err instanceof WeftError) throw err;
    throw new UnavailableError(`${what} failed: ${(err as Error).message}`, { cause: err, details: { url: call.url } });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
    // closing the connection early is how the gateway learns to stop the executor's generator
    if (!finished) request?.destroy();
  }
}

function answer(req: SingleDocumentRequest, data: string, what: string): SingleDocumentRequest {
  let document: Document;
  try {
    document = Document.fromJSON(JSON.parse(data) as DocumentJson);
  } catch (err) {
    throw new DecodeError(`${what} sent an update that is not a document: ${(err as Error).message}`, { cause: err });
  }
  return { header: { requestId: req.header.requestId }, parameters: {}, routes: [], document };
}

/**
 * The error an `event: error` carries (`wireOfBody`): the class its code names, or, for an executor's own
 * exception, an `ExecutorError` with the remote name, code, executor and stack.
 */
function errorFromEvent(data: string, what: string): Error {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    json = { detail: data }; // not JSON: its text is the message
  }
  const wire = wireOfBody(undefined, json);
  if (wire.code === 'WEFT_EXECUTOR') return fromWire(wire);
  return fromWire(wire, { message: `${what}: ${wire.message || data}` });
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
