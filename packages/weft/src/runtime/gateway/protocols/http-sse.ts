/**
 * Streaming endpoints over HTTP, as Jina serves them: Server-Sent Events. `GET /<endpoint>?text=hi` (the query
 * holds the document's fields; also `parameters` as JSON and `targetExecutor`), or `POST /<endpoint>` with
 * `Accept: text/event-stream` (the body is `{ data: doc, parameters, targetExecutor }` or the document itself),
 * answers `text/event-stream`: one `event: update` with `data: <document JSON>` per document the endpoint yields,
 * then `event: end`. An error once the stream is under way is an `event: error` whose data is
 * `{ code, name, detail, header: { status } }` (the errors' wire facts, `bodyOfWire`: the executor's exception
 * in-band, `code` its weft code or `WEFT_EXECUTOR`; or a transport failure such as `WEFT_UNAVAILABLE`), followed
 * by `event: end`. Failures before the first answer are ordinary
 * HTTP errors (400, 503, 504) with the JSON body of every other route. A client that disconnects stops the
 * executor's generator. Lines end with CRLF, as Jina's (sse-starlette) do; a comment line every 15 s keeps
 * idle connections open through proxies.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Document, DocumentArray } from '../../../document/index.js';
import {
  BadRequestError,
  bodyOfWire,
  StatusCode,
  statusOfWire,
  toWire,
  UnavailableError,
  WeftError,
  type WireError,
  wireOfStatus,
} from '../../../errors/index.js';
import { DataRequest, requestFromJson, type SingleDocumentRequest, statusToJson } from '../../../request/index.js';
import { requestErrorReply, transportErrorReply } from './http-errors.js';
import type { DataRoute, DataRouteContext } from './http-routes.js';

/** Every how many ms an idle stream gets a comment line (Jina's default ping interval). */
const PING_MS = 15_000;
const EOL = '\r\n';

/** Whether the client asks for Server-Sent Events. */
export function acceptsEventStream(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('text/event-stream');
}

/**
 * `GET /<endpoint>` for each streaming endpoint (a path whose GET another route already has keeps it). POSTs to
 * the same paths go through the data routes, which hand `Accept: text/event-stream` requests to `serveEventStream`.
 */
export function registerStreamingRoutes(
  scope: FastifyInstance,
  streaming: readonly string[],
  routes: readonly DataRoute[],
  reserved: ReadonlySet<string>,
  ctx: DataRouteContext,
): void {
  const taken = new Set(reserved);
  for (const r of routes) for (const m of r.methods) taken.add(`${m} ${r.path}`);
  for (const endpoint of streaming) {
    if (!endpoint.startsWith('/') || taken.has(`GET ${endpoint}`)) continue;
    taken.add(`GET ${endpoint}`);
    scope.get(
      endpoint.replaceAll(':', '::'),
      {
        schema: {
          summary: `Stream from ${endpoint} (Server-Sent Events)`,
          description:
            'The query holds the input document’s fields (`text`, `id`, `tags` as JSON…), `parameters` as JSON and `targetExecutor`. Answers `text/event-stream`: `event: update` with `data: <document JSON>` per document the endpoint yields, then `event: end`; a failure is `event: error` (data `{ code, detail, header: { status } }`) before `end`.',
          tags: ['Streaming'],
        },
      },
      (request, reply) => serveEventStream(ctx, request, reply, endpoint),
    );
  }
}

/**
 * The endpoints the executors stream, asked at start-up like the others (`GET` routes are planned from them);
 * after `timeoutMs` the gateway starts without them (`POST` with `Accept: text/event-stream` still streams).
 */
export async function discoverStreamingEndpoints(
  gateway: DataRouteContext['gateway'],
  timeoutMs: number,
): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    return await Promise.race([gateway.streamingEndpoints(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Parse the request, stream the answers as Server-Sent Events (see the module comment). */
export async function serveEventStream(
  ctx: DataRouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: string | undefined,
): Promise<FastifyReply> {
  let req: SingleDocumentRequest;
  try {
    req =
      request.method === 'GET' && request.body === undefined
        ? fromQuery(request.query, endpoint)
        : fromBody(request.body, endpoint);
  } catch (err) {
    const { status, body } = requestErrorReply(err);
    return reply.code(status).send(body);
  }
  const echo = new DataRequest({ header: req.header, parameters: req.parameters });
  const abort = new AbortController();
  const res = reply.raw;
  let done = false;
  res.on('close', () => {
    if (!done) abort.abort(new Error('the HTTP client went away'));
  });
  let answers: AsyncGenerator<SingleDocumentRequest>;
  let first: IteratorResult<SingleDocumentRequest>;
  try {
    if (!ctx.accepting()) throw new UnavailableError(`gateway ${ctx.gateway.name} is shutting down`);
    answers = ctx.gateway.streamDoc(req, { signal: abort.signal });
    // the first answer decides the HTTP status: a failure before it is an ordinary HTTP error
    first = await answers.next();
  } catch (err) {
    done = true;
    const { status, body } = transportErrorReply(err, request.body ?? {}, echo);
    return reply.code(status).send(body);
  }
  reply.hijack();
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const ping = setInterval(() => {
    if (!res.destroyed && !abort.signal.aborted) res.write(`: ping${EOL}${EOL}`);
  }, PING_MS);
  const send = async (chunk: string): Promise<void> => {
    if (abort.signal.aborted || res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        res.off('drain', wake);
        res.off('close', wake);
        resolve();
      };
      res.on('drain', wake);
      res.on('close', wake);
    });
  };
  try {
    for (let next = first; !next.done && !abort.signal.aborted; next = await answers.next()) {
      const answer = next.value;
      const failed = answer.header.status;
      if (failed && failed.code === StatusCode.ERROR) {
        await send(errorEvent(wireOfStatus(failed), req));
        break;
      }
      if (answer.document) await send(updateEvent(answer.document));
    }
  } catch (err) {
    if (!abort.signal.aborted) {
      const facts = err instanceof WeftError ? err.details : {};
      const executor = String(facts.executor ?? facts.deployment ?? '');
      await send(errorEvent(toWire(err, executor ? { executor } : {}), req));
    }
  } finally {
    clearInterval(ping);
    // stops the executor's generator when the client went away or an error ended the loop early
    await answers.return(undefined).catch(() => undefined);
  }
  done = true;
  if (!abort.signal.aborted) res.end(`event: end${EOL}${EOL}`);
  return reply;
}

function updateEvent(doc: Document): string {
  return `event: update${EOL}data: ${JSON.stringify(doc.toJSON())}${EOL}${EOL}`;
}

function errorEvent(wire: WireError, req: SingleDocumentRequest): string {
  const data = {
    ...bodyOfWire(wire),
    header: { requestId: req.header.requestId, status: statusToJson(statusOfWire(wire)) },
  };
  return `event: error${EOL}data: ${JSON.stringify(data)}${EOL}${EOL}`;
}

/** Body keys that make a POST body an envelope (`{ data, parameters… }`) rather than the document itself. */
const ENVELOPE_KEYS = [
  'data',
  'parameters',
  'header',
  'targetExecutor',
  'target_executor',
  'execEndpoint',
  'exec_endpoint',
];

/** A POST body: `{ data: doc | [doc], parameters, targetExecutor, header }`, or the document itself (Jina's client). */
function fromBody(body: unknown, endpoint: string | undefined): SingleDocumentRequest {
  const envelope =
    typeof body === 'object' && body !== null && !Array.isArray(body) && ENVELOPE_KEYS.some((k) => k in body);
  return single(
    requestFromJson(
      envelope ? body : { data: body ?? {} },
      endpoint !== undefined ? { execEndpoint: endpoint } : { defaultEndpoint: '/' },
    ),
  );
}

/** Query keys that are document fields; the string ones are taken as they are, the others parsed as JSON. */
const STRING_FIELDS = new Set([
  'id',
  'text',
  'uri',
  'mime_type',
  'mimeType',
  'modality',
  'parent_id',
  'parentId',
  'blob',
]);
const JSON_FIELDS = new Set([
  'tags',
  'tensor',
  'embedding',
  'chunks',
  'matches',
  'scores',
  'evaluations',
  'granularity',
  'adjacency',
  'weight',
  'offset',
  'location',
]);

/**
 * A GET query: document fields (`?text=hello&tags={"k":1}`), `parameters` as JSON, `targetExecutor`; other keys
 * are parameters (as the other GET routes take them); `exec_endpoint` (which Jina's examples add) is ignored, the
 * path names the endpoint.
 */
function fromQuery(query: unknown, endpoint: string | undefined): SingleDocumentRequest {
  const q = (query ?? {}) as Record<string, string | string[]>;
  const doc: Record<string, unknown> = {};
  const parameters: Record<string, unknown> = {};
  const body: Record<string, unknown> = { data: doc, parameters };
  for (const [key, raw] of Object.entries(q)) {
    const value = Array.isArray(raw) ? (raw[0] as string) : raw;
    if (key === '__proto__' || key === 'exec_endpoint' || key === 'execEndpoint') continue;
    if (key === 'targetExecutor' || key === 'target_executor') body.targetExecutor = value;
    else if (STRING_FIELDS.has(key)) doc[key] = value;
    else if (JSON_FIELDS.has(key)) doc[key] = parseJson(value, key);
    else if (key === 'data') Object.assign(doc, parseJson(value, key));
    else if (key === 'parameters') Object.assign(parameters, parseJson(value, key));
    else parameters[key] = jsonOrString(value);
  }
  return single(requestFromJson(body, endpoint !== undefined ? { execEndpoint: endpoint } : { defaultEndpoint: '/' }));
}

/** The one document of a parsed request, as a SingleDocumentRequest. */
function single(req: DataRequest): SingleDocumentRequest {
  const docs: DocumentArray = req.docs;
  if (docs.length !== 1) {
    throw new BadRequestError(`a streaming request takes exactly one document, got ${docs.length}`, {
      details: { field: 'data' },
    });
  }
  return { header: req.header, parameters: req.parameters, routes: req.routes, document: docs.at(0) as Document };
}

function parseJson(value: string, field: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new BadRequestError(`query parameter ${field} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
      details: { field },
    });
  }
}

function jsonOrString(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
