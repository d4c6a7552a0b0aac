/**
 * The JSON Schemas behind the HTTP gateway's OpenAPI 3 document: Jina's JSON document shape (recursive through
 * `chunks` and `matches`), the request body of `/post` and of the endpoint routes, the response, errors, status
 * and `/status`. Shared schemas are registered by `$id` and appear under `components.schemas` by that name.
 */
import type { FastifySchema } from 'fastify';

const namedScore = {
  $id: 'NamedScore',
  type: 'object',
  description: 'A named score or evaluation.',
  properties: {
    value: { type: 'number' },
    op_name: { type: 'string' },
    description: { type: 'string' },
    ref_id: { type: 'string' },
  },
  required: ['value'],
} as const;

const nestedNumbers = {
  $id: 'NestedNumbers',
  description: 'A number or a (nested) list of numbers: a tensor in row-major order.',
  anyOf: [{ type: 'number' }, { type: 'array', items: { $ref: 'NestedNumbers#' } }],
} as const;

const ndArray = {
  $id: 'NdArray',
  description:
    'A tensor as nested lists of numbers, or as raw little-endian bytes `{ buffer (base64), shape, dtype }`.',
  anyOf: [
    { $ref: 'NestedNumbers#' },
    {
      type: 'object',
      properties: {
        buffer: { type: 'string', description: 'base64 of the little-endian values' },
        shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
        dtype: { type: 'string', description: "numpy-style dtype such as '<f4' (default '<f8')" },
      },
      required: ['buffer', 'shape'],
    },
  ],
} as const;

const scores = { type: 'object', additionalProperties: { $ref: 'NamedScore#' } } as const;

const document = {
  $id: 'Document',
  type: 'object',
  description:
    "Jina's JSON document (docarray v1). Keys may be snake_case (as written) or camelCase; `text`, `blob` and `tensor` are mutually exclusive.",
  properties: {
    id: { type: 'string', description: 'Unique id; a random one is assigned when absent.' },
    text: { type: 'string' },
    blob: { type: 'string', description: 'Bytes, base64-encoded.' },
    tensor: { $ref: 'NdArray#' },
    embedding: { $ref: 'NdArray#' },
    uri: { type: 'string' },
    mime_type: { type: 'string' },
    modality: { type: 'string' },
    tags: { type: 'object', additionalProperties: true, description: 'Any JSON object.' },
    chunks: { type: 'array', items: { $ref: 'Document#' } },
    matches: { type: 'array', items: { $ref: 'Document#' } },
    scores,
    evaluations: scores,
    parent_id: { type: 'string' },
    granularity: { type: 'integer', minimum: 0 },
    adjacency: { type: 'integer', minimum: 0 },
    weight: { type: 'number' },
    offset: { type: 'number' },
    location: { type: 'array', items: { type: 'number' } },
  },
  additionalProperties: false,
} as const;

const status = {
  $id: 'Status',
  type: 'object',
  description: '`code` 0: success, 1: error (an executor exception, or a failure the HTTP status names).',
  properties: {
    code: { type: 'integer', enum: [0, 1] },
    description: { type: 'string' },
    exception: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        args: { type: 'array', items: { type: 'string' } },
        stacks: { type: 'array', items: { type: 'string' } },
        executor: { type: 'string' },
      },
    },
  },
  required: ['code'],
} as const;

const header = {
  $id: 'Header',
  type: 'object',
  properties: {
    requestId: { type: 'string' },
    execEndpoint: { type: 'string' },
    targetExecutor: { type: 'string' },
    status: { $ref: 'Status#' },
  },
} as const;

const dataResponse = {
  $id: 'DataResponse',
  type: 'object',
  description: 'The processed request: an executor error is reported in `header.status` with HTTP 200.',
  properties: {
    header: { $ref: 'Header#' },
    parameters: { type: 'object', additionalProperties: true },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          executor: { type: 'string' },
          startTime: { type: 'string', format: 'date-time' },
          endTime: { type: 'string', format: 'date-time' },
          status: { $ref: 'Status#' },
        },
      },
    },
    data: { type: 'array', items: { $ref: 'Document#' } },
  },
} as const;

const errorResponse = {
  $id: 'ErrorResponse',
  type: 'object',
  description:
    'A request that could not be processed. For 503/504 the request body is echoed back beside `header`; `detail` says what failed (the field, the executor and its address, the limit).',
  properties: {
    header: { $ref: 'Header#' },
    detail: { type: 'string' },
    field: { type: 'string', description: 'The body field at fault (400).' },
  },
  additionalProperties: true,
} as const;

const dataProperty = {
  description: 'The documents: a list, or `{ "docs": [...] }`. A string in the list is a document with that text.',
  anyOf: [
    { type: 'array', items: { anyOf: [{ $ref: 'Document#' }, { type: 'string' }] } },
    { type: 'object', properties: { docs: { type: 'array', items: { $ref: 'Document#' } } }, required: ['docs'] },
  ],
} as const;

const commonBody = {
  data: dataProperty,
  parameters: { type: 'object', additionalProperties: true, description: 'Passed to every executor.' },
  targetExecutor: { type: 'string', description: 'Regex over executor names: only those process the request.' },
  target_executor: { type: 'string', description: 'Same as targetExecutor.' },
  header: {
    type: 'object',
    description: 'Optional: keep a request id (`requestId`) across the call.',
    properties: { requestId: { type: 'string' }, request_id: { type: 'string' } },
  },
} as const;

const postBody = {
  $id: 'PostRequest',
  type: 'object',
  properties: {
    ...commonBody,
    execEndpoint: { type: 'string', default: '/', description: 'The executor endpoint to call.' },
    exec_endpoint: { type: 'string', description: 'Same as execEndpoint.' },
  },
  example: { execEndpoint: '/search', data: [{ text: 'hello world' }], parameters: { limit: 3 } },
} as const;

const endpointBody = {
  $id: 'EndpointRequest',
  type: 'object',
  properties: commonBody,
  example: { data: [{ text: 'hello world' }], parameters: {} },
} as const;

const jinaInfo = {
  $id: 'JinaInfo',
  type: 'object',
  properties: {
    jina: { type: 'object', additionalProperties: { type: 'string' } },
    envs: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** Every shared schema, in dependency order (register with `app.addSchema`). */
export const HTTP_SCHEMAS: readonly { $id: string }[] = [
  namedScore,
  nestedNumbers,
  ndArray,
  document,
  status,
  header,
  dataResponse,
  errorResponse,
  postBody,
  endpointBody,
  jinaInfo,
];

const errorReplies = {
  400: { description: 'Malformed JSON or documents; `detail` names the field.', $ref: 'ErrorResponse#' },
  413: { description: 'The body is over the size limit (`maxMessageBytes`).', $ref: 'ErrorResponse#' },
  503: { description: 'An executor is unavailable; the body echoes the request.', $ref: 'ErrorResponse#' },
  504: { description: 'An executor did not answer in time; the body echoes the request.', $ref: 'ErrorResponse#' },
} as const;

/** The schema of a route that runs a request through the Flow. */
export function dataRouteSchema(route: {
  summary: string;
  description?: string | undefined;
  tags: string[];
  deprecated?: boolean | undefined;
  bodyless: boolean;
  fixedEndpoint: boolean;
}): FastifySchema {
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    ...(route.deprecated ? { deprecated: true } : {}),
    ...(route.bodyless
      ? {
          querystring: {
            type: 'object',
            additionalProperties: true,
            description: 'Optional `targetExecutor`, `data` and `parameters` (JSON); any other key is a parameter.',
          },
        }
      : { body: { $ref: route.fixedEndpoint ? 'EndpointRequest#' : 'PostRequest#' } }),
    response: { 200: { description: 'The processed request.', $ref: 'DataResponse#' }, ...errorReplies },
  } as FastifySchema;
}

/** A summary of the route of an executor endpoint. */
export function endpointSummary(endpoint: string): string {
  return `Call the executor endpoint ${endpoint}`;
}

/**
 * The OpenAPI document with a `POST` operation for each endpoint in `late` that it does not list yet (endpoints
 * discovered after start-up, served by the catch-all route), shaped as the endpoint routes' own operations.
 */
export function withLateEndpoints(spec: Record<string, unknown>, late: Iterable<string>): Record<string, unknown> {
  const paths = { ...(spec.paths as Record<string, Record<string, unknown>> | undefined) };
  const json = (name: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } });
  for (const endpoint of late) {
    if (paths[endpoint]?.post) continue;
    const responses: Record<string, unknown> = {
      200: { description: 'The processed request.', content: json('DataResponse') },
    };
    for (const [code, r] of Object.entries(errorReplies))
      responses[code] = { description: r.description, content: json('ErrorResponse') };
    paths[endpoint] = {
      ...paths[endpoint],
      post: {
        summary: endpointSummary(endpoint),
        description: 'Discovered after the gateway started.',
        tags: ['Endpoints'],
        requestBody: { content: json('EndpointRequest') },
        responses,
      },
    };
  }
  return { ...spec, paths };
}

export const STATUS_ROUTE_SCHEMA = {
  summary: 'Versions and environment of the gateway',
  tags: ['Debug'],
  response: { 200: { description: 'JinaInfo', $ref: 'JinaInfo#' } },
} as FastifySchema;

export const DRY_RUN_ROUTE_SCHEMA = {
  summary: 'Send an empty request through every executor to check that the Flow is connected',
  tags: ['Debug'],
  response: { 200: { description: 'code 0 when every executor answered', $ref: 'Status#' } },
} as FastifySchema;

export const HEALTH_ROUTE_SCHEMA = {
  summary: 'Health check: `{}` while the gateway is serving',
  tags: ['Debug'],
  response: { 200: { description: 'Serving', type: 'object' } },
} as FastifySchema;

export const LIVENESS_ROUTE_SCHEMA = {
  summary: 'Liveness: `{ status: "ok" }` while the gateway process serves (open without a token)',
  tags: ['Health'],
  response: { 200: { description: 'Serving', type: 'object' }, 503: { description: 'Shutting down', type: 'object' } },
} as FastifySchema;

export const READINESS_ROUTE_SCHEMA = {
  summary: "Readiness: every executor answers its health check, each replica's answer listed (open without a token)",
  tags: ['Health'],
  response: {
    200: { description: 'Every executor is ready', type: 'object' },
    503: { description: 'Some executor is not', type: 'object' },
  },
} as FastifySchema;
