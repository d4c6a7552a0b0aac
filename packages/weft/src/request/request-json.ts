/**
 * DataRequest <-> Jina's JSON request shape, shared by the HTTP and WebSocket gateways and the HTTP client.
 * Reading accepts what Jina's clients and `curl` users send: a `/post` body (`data` as a list of documents or
 * `{ docs: [...] }`, `parameters`, `execEndpoint`/`exec_endpoint`, `targetExecutor`/`target_executor`), a full
 * request (`header`, `routes`), camelCase or snake_case keys alike. Writing produces Jina's v1 HTTP response
 * shape (camelCase, as FastAPI's aliases) or `DataRequest.to_dict()`'s (snake_case, as Jina's WebSocket gateway).
 * Malformed input throws `BadRequestError` or `BadDocumentError` naming the field (`data[3].tensor: …`).
 */
import {
  assertJsonObject,
  Document,
  DocumentArray,
  type DocumentJson,
  isPlainObject,
  type JsonObject,
} from '../document/index.js';
import { BadDocumentError, BadRequestError, type ExceptionInfo, type Status, WeftError } from '../errors/index.js';
import { DataRequest } from './data-request.js';
import { type Header, type Route, type Timestamp, timestampToIso } from './types.js';

/** Key style of the envelope (documents always use Jina's document JSON: `mime_type`, `parent_id`…). */
export type JsonCasing = 'camel' | 'snake';

export interface StatusJson {
  code: number;
  description: string;
  exception?: ExceptionInfo;
}

/** The response shape of Jina's HTTP gateway (camelCase). */
export interface RequestJson {
  header: { requestId: string; execEndpoint: string; targetExecutor: string; status?: StatusJson; timeout?: number };
  parameters: JsonObject;
  routes: { executor: string; startTime?: string; endTime?: string; status?: StatusJson }[];
  data: DocumentJson[];
}

/** The same shape with snake_case keys, as `DataRequest.to_dict()` (Jina's WebSocket gateway). */
export interface SnakeRequestJson {
  header: { request_id: string; exec_endpoint: string; target_executor: string; status?: StatusJson; timeout?: number };
  parameters: JsonObject;
  routes: { executor: string; start_time?: string; end_time?: string; status?: StatusJson }[];
  data: DocumentJson[];
}

export interface RequestFromJsonOptions {
  /** The endpoint to use when the body names none (Jina's `/post` uses `/`). */
  defaultEndpoint?: string;
  /** The endpoint to use whatever the body says (a route bound to one endpoint: `POST /index`). */
  execEndpoint?: string;
}

/**
 * Serialize a request as JSON-ready values (route times as ISO-8601 strings, tensors as nested lists).
 * @example JSON.stringify(requestToJson(res)) // '{"header":{"requestId":"…","execEndpoint":"/search",…},…}'
 */
export function requestToJson(req: DataRequest, options?: { casing?: 'camel' }): RequestJson;
export function requestToJson(req: DataRequest, options: { casing: 'snake' }): SnakeRequestJson;
export function requestToJson(req: DataRequest, options: { casing?: JsonCasing } = {}): RequestJson | SnakeRequestJson {
  const snake = options.casing === 'snake';
  const h = req.header;
  const header: Record<string, unknown> = {
    [snake ? 'request_id' : 'requestId']: h.requestId,
    [snake ? 'exec_endpoint' : 'execEndpoint']: h.execEndpoint ?? '',
    [snake ? 'target_executor' : 'targetExecutor']: h.targetExecutor ?? '',
  };
  if (h.status) header.status = statusToJson(h.status);
  if (h.timeout !== undefined && h.timeout !== 0) header.timeout = h.timeout;
  const routes = req.routes.map((r) => {
    const out: Record<string, unknown> = { executor: r.executor };
    if (r.startTime) out[snake ? 'start_time' : 'startTime'] = timestampToIso(r.startTime);
    if (r.endTime) out[snake ? 'end_time' : 'endTime'] = timestampToIso(r.endTime);
    if (r.status) out.status = statusToJson(r.status);
    return out;
  });
  return { header, parameters: req.parameters, routes, data: req.docs.toJSON() } as unknown as RequestJson;
}

/** A status as JSON (`code` as Jina's integer enum: 0 success, 1 error). */
export function statusToJson(s: Status): StatusJson {
  const out: StatusJson = { code: s.code, description: s.description };
  if (s.exception) out.exception = { ...s.exception };
  return out;
}

/**
 * Build a DataRequest from a JSON body (camelCase or snake_case; see the module comment for accepted shapes).
 * Top-level `execEndpoint`/`targetExecutor` win over the same keys inside `header`; a body without a request id
 * gets a new one. Unknown top-level keys are ignored, as Jina's request model does.
 * @example requestFromJson({ data: [{ text: 'hi' }], execEndpoint: '/index' }).docs.length // 1
 */
export function requestFromJson(body: unknown, options: RequestFromJsonOptions = {}): DataRequest {
  if (!isPlainObject(body)) throw badField('(body)', `the request body must be a JSON object, got ${describe(body)}`);
  const rawHeader = pick(body, 'header');
  if (rawHeader !== undefined && !isPlainObject(rawHeader)) throw badField('header', 'must be an object');
  const hdr = rawHeader ?? {};
  const header: Partial<Header> = {};
  const requestId = optString(body, 'requestId', 'request_id') ?? optString(hdr, 'requestId', 'request_id', 'header');
  if (requestId) header.requestId = requestId;
  const endpoint =
    options.execEndpoint ??
    optString(body, 'execEndpoint', 'exec_endpoint') ??
    optString(hdr, 'execEndpoint', 'exec_endpoint', 'header') ??
    options.defaultEndpoint;
  if (endpoint) header.execEndpoint = endpoint;
  const target =
    optString(body, 'targetExecutor', 'target_executor') ??
    optString(hdr, 'targetExecutor', 'target_executor', 'header');
  if (target) header.targetExecutor = target;
  const timeout = pick(hdr, 'timeout');
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isFinite(timeout)) throw badField('header.timeout', 'must be a number');
    header.timeout = timeout;
  }
  const status = pick(hdr, 'status');
  if (status !== undefined && status !== null) header.status = statusFromJson(status, 'header.status');

  const parameters = pick(body, 'parameters') ?? {};
  try {
    assertJsonObject(parameters, 'parameters');
  } catch (err) {
    throw new BadRequestError((err as Error).message, { cause: err, details: (err as WeftError).details });
  }
  const rawRoutes = pick(body, 'routes') ?? [];
  if (!Array.isArray(rawRoutes)) throw badField('routes', 'must be a list of route entries');
  const routes = rawRoutes.map((r, i) => routeFromJson(r, `routes[${i}]`));
  return new DataRequest({ header, parameters, routes, docs: docsFromJson(pick(body, 'data')) });
}

/** `data` as sent: a list of documents (objects, or strings taken as text), `{ docs: [...] }`, or one document. */
function docsFromJson(data: unknown): DocumentArray {
  if (data === undefined || data === null) return new DocumentArray();
  let list: unknown[];
  let path = 'data';
  if (Array.isArray(data)) list = data;
  else if (isPlainObject(data) && 'docs' in data) {
    if (data.docs === null) return new DocumentArray();
    if (!Array.isArray(data.docs)) throw badField('data.docs', 'must be a list of documents');
    list = data.docs;
    path = 'data.docs';
  } else if (isPlainObject(data)) list = [data];
  else throw badField('data', `must be a list of documents or { "docs": [...] }, got ${describe(data)}`);
  return DocumentArray.wrap(list.map((d, i) => docFromJson(d, `${path}[${i}]`)));
}

function docFromJson(value: unknown, path: string): Document {
  if (typeof value === 'string') return new Document({ text: value });
  if (!isPlainObject(value)) {
    throw new BadDocumentError(`${path} must be a document object (or a string, its text), got ${describe(value)}`, {
      details: { field: path },
    });
  }
  try {
    return Document.fromJSON(value as DocumentJson);
  } catch (err) {
    if (!(err instanceof WeftError)) throw err;
    // Document.fromJSON names fields from `document` (`document.tensor: …`); name them from their place here
    const rename = (s: string): string => {
      const named = s.replace(/^document(?=[.[:\s]|$)/, path);
      return named.startsWith(path) ? named : `${path}: ${named}`;
    };
    const inner = err.details.field;
    const field = typeof inner === 'string' && inner.startsWith('document') ? inner.replace(/^document/, path) : path;
    const Cls = err.constructor as typeof BadDocumentError;
    throw new Cls(rename(err.message), { cause: err, details: { ...err.details, field } });
  }
}

function routeFromJson(value: unknown, path: string): Route {
  if (!isPlainObject(value)) throw badField(path, 'must be an object { executor, startTime, endTime, status }');
  const executor = optString(value, 'executor', 'executor', path) ?? '';
  const route: Route = { executor };
  const start = pick(value, 'startTime', 'start_time');
  const end = pick(value, 'endTime', 'end_time');
  if (start !== undefined && start !== null) route.startTime = timestampFromJson(start, `${path}.startTime`);
  if (end !== undefined && end !== null) route.endTime = timestampFromJson(end, `${path}.endTime`);
  const status = pick(value, 'status');
  if (status !== undefined && status !== null) route.status = statusFromJson(status, `${path}.status`);
  return route;
}

/** A status from JSON: `code` as an integer or Jina's enum name (`SUCCESS`, `ERROR`). */
export function statusFromJson(value: unknown, path = 'status'): Status {
  if (!isPlainObject(value)) throw badField(path, 'must be an object { code, description, exception }');
  const rawCode = value.code ?? 0;
  const code = rawCode === 'SUCCESS' ? 0 : rawCode === 'ERROR' ? 1 : rawCode;
  if (typeof code !== 'number' || !Number.isInteger(code))
    throw badField(`${path}.code`, 'must be 0, 1, SUCCESS or ERROR');
  const status: Status = { code, description: optString(value, 'description', 'description', path) ?? '' };
  const ex = value.exception;
  if (ex !== undefined && ex !== null) {
    if (!isPlainObject(ex)) throw badField(`${path}.exception`, 'must be an object { name, args, stacks, executor }');
    const strings = (k: string): string[] => {
      const v = ex[k] ?? [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
        throw badField(`${path}.exception.${k}`, 'must be a list of strings');
      return v as string[];
    };
    status.exception = {
      name: optString(ex, 'name', 'name', `${path}.exception`) ?? '',
      args: strings('args'),
      stacks: strings('stacks'),
      executor: optString(ex, 'executor', 'executor', `${path}.exception`) ?? '',
    };
  }
  return status;
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 time (protobuf JSON's Timestamp), `{ seconds, nanos }`, or epoch milliseconds. */
function timestampFromJson(value: unknown, path: string): Timestamp {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const seconds = Math.floor(value / 1000);
    return { seconds, nanos: Math.round((value - seconds * 1000) * 1e6) };
  }
  if (isPlainObject(value) && typeof (value.seconds ?? 0) === 'number' && typeof (value.nanos ?? 0) === 'number') {
    return { seconds: Number(value.seconds ?? 0), nanos: Number(value.nanos ?? 0) };
  }
  const m = typeof value === 'string' ? ISO.exec(value) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (!m || Number.isNaN(ms)) throw badField(path, `must be an ISO-8601 time, got ${describe(value)}`);
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

function pick(o: Record<string, unknown>, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v === undefined && snake !== undefined ? o[snake] : v;
}

function optString(o: Record<string, unknown>, camel: string, snake: string, prefix?: string): string | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw badField(prefix ? `${prefix}.${camel}` : camel, `must be a string, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function badField(field: string, problem: string): BadRequestError {
  return new BadRequestError(field === '(body)' ? problem : `${field}: ${problem}`, { details: { field } });
}
