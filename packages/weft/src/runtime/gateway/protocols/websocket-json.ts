/**
 * The WebSocket gateway's JSON mode, both ways, over the shared request JSON conversion (`request/request-json.ts`).
 * In: one text message is the body of HTTP `POST /post` (`{ data: [docs] | { docs: [docs] }, parameters,
 * execEndpoint | exec_endpoint, targetExecutor | target_executor }`, camelCase or snake_case, optionally a
 * `header.request_id` to correlate answers) and becomes one DataRequest, or several of at most `request_size`
 * documents when the message says so. Out: each answer is Jina's `DataRequest.to_dict()`: snake_case keys,
 * integer status codes, route times as ISO-8601 strings, `data` as the list of document dicts.
 */
import { DocumentArray, isPlainObject } from '../../../document/index.js';
import { BadRequestError } from '../../../errors/index.js';
import { DataRequest, newRequestId, requestFromJson, requestToJson } from '../../../request/index.js';

/** The message that ends the input stream in JSON mode: `{}`. */
export function isEndOfInput(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/**
 * The DataRequests one JSON message stands for. Throws `BadRequestError`/`BadDocumentError` naming the field
 * when the message is not a request body.
 */
export function requestsFromMessage(body: unknown): DataRequest[] {
  const req = requestFromJson(body, { defaultEndpoint: '/' });
  const b = body as Record<string, unknown>;
  const size = b.request_size ?? b.requestSize;
  if (size === undefined || size === null) return [req];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new BadRequestError(`request_size: must be a positive integer, got ${JSON.stringify(size)}`, {
      details: { field: 'request_size' },
    });
  }
  const docs = req.docs;
  if (docs.length <= size) return [req];
  const header = isPlainObject(b.header) ? b.header : {};
  const givenId = [b.requestId, b.request_id, header.requestId, header.request_id].some((v) => typeof v === 'string');
  const parts: DataRequest[] = [];
  for (let i = 0, k = 0; i < docs.length; i += size, k++) {
    parts.push(
      new DataRequest({
        header: { ...req.header, requestId: givenId ? `${req.header.requestId}-${k}` : newRequestId() },
        parameters: structuredClone(req.parameters),
        routes: req.routes.map((r) => ({ ...r })),
        docs: DocumentArray.wrap(docs.toArray().slice(i, i + size)),
      }),
    );
  }
  return parts;
}

/** Jina's `DataRequest.to_dict()` of one answer, as JSON text. */
export function answerToJson(req: DataRequest): string {
  return JSON.stringify(requestToJson(req, { casing: 'snake' }));
}
