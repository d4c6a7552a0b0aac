/**
 * The stable error codes of weft: one row per code, with the gRPC status it travels as, the HTTP status a
 * gateway answers with, whether a caller may retry, and a one-line meaning. `docs/reference/errors.md` lists
 * the same table; a test fails when the two drift.
 */

/** gRPC status codes used by weft (subset of the standard table). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

export interface ErrorCodeInfo {
  readonly grpc: GrpcStatusCode;
  readonly http: number;
  readonly retryable: boolean;
  readonly meaning: string;
}

export const ERROR_CODES = {
  WEFT_ERROR: { grpc: GrpcStatus.UNKNOWN, http: 500, retryable: false, meaning: 'An unclassified weft error.' },
  WEFT_BAD_DOCUMENT: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'A Document field holds a value of the wrong kind (two content fields, a non-JSON tag, a bad score).',
  },
  WEFT_BAD_NDARRAY: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'An NdArray whose dtype, shape and buffer length do not agree, or an unknown dtype.',
  },
  WEFT_DECODE: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'Bytes or JSON that are not a valid encoding of the expected message (truncated, wrong wire type).',
  },
  WEFT_BAD_FILTER: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'A Mongo-style filter with an unknown operator or an operand of the wrong type.',
  },
  WEFT_BAD_ARGUMENT: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'A function was called with an argument outside its contract (unknown metric, mismatched dimensions).',
  },
  WEFT_LOAD_URI: {
    grpc: GrpcStatus.NOT_FOUND,
    http: 404,
    retryable: false,
    meaning: 'A URI could not be loaded: missing file, unreachable host, HTTP error or malformed data: URI.',
  },
  WEFT_URI_REFUSED: {
    grpc: GrpcStatus.PERMISSION_DENIED,
    http: 403,
    retryable: false,
    meaning:
      'A URI this process may not load: a file outside the allowed roots, or a loopback, private or link-local address.',
  },
  WEFT_MISSING_DEPENDENCY: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning: 'An optional package this feature needs is not installed; the message names the npm install command.',
  },
  WEFT_BAD_REQUEST: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'A request that is malformed as a whole (undecodable protobuf or JSON body, missing header).',
  },
  WEFT_TOO_LARGE: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 413,
    retryable: false,
    meaning: 'A message over the configured size limit; raise the limit or send fewer documents per request.',
  },
  WEFT_LIMIT_EXCEEDED: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 413,
    retryable: false,
    meaning:
      "A request over one of the gateway's limits (documents per request, header bytes, GraphQL depth or size); details.limit names it.",
  },
  WEFT_OVERLOADED: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 503,
    retryable: true,
    meaning: 'The gateway has as many requests in flight as its limit allows; retry after a moment (HTTP Retry-After).',
  },
  WEFT_TOO_MANY_REQUESTS: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 429,
    retryable: true,
    meaning: 'One connection has as many requests in flight as its limit allows; wait for answers before sending more.',
  },
  WEFT_CONFIG: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    retryable: false,
    meaning: 'A configuration (YAML file or options object) that does not match the schema; names file, line and key.',
  },
  WEFT_EXECUTOR_LOAD: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning:
      'An executor could not be resolved or constructed (unknown name, missing module or export, constructor threw).',
  },
  WEFT_EXECUTOR: {
    grpc: GrpcStatus.UNKNOWN,
    http: 200,
    retryable: false,
    meaning: 'An exception raised inside an executor endpoint, carried in-band in header.status (rebuilt by clients).',
  },
  WEFT_EXECUTOR_RETURN: {
    grpc: GrpcStatus.UNKNOWN,
    http: 200,
    retryable: false,
    meaning: 'An endpoint returned something other than a DocumentArray, a plain object or nothing.',
  },
  WEFT_BATCH_MISMATCH: {
    grpc: GrpcStatus.UNKNOWN,
    http: 200,
    retryable: false,
    meaning: 'A dynamically batched endpoint returned a different number of documents than it was given.',
  },
  WEFT_UNAVAILABLE: {
    grpc: GrpcStatus.UNAVAILABLE,
    http: 503,
    retryable: true,
    meaning: 'An executor, head or gateway could not be reached; the message names it and its address.',
  },
  WEFT_TLS: {
    grpc: GrpcStatus.UNAVAILABLE,
    http: 503,
    retryable: false,
    meaning:
      "A TLS connection could not be set up: the peer's certificate is not trusted or does not name the host, or only one side speaks TLS.",
  },
  WEFT_UNAUTHENTICATED: {
    grpc: GrpcStatus.UNAUTHENTICATED,
    http: 401,
    retryable: false,
    meaning:
      'The gateway wants a token (`Authorization: Bearer …`, gRPC `authorization` metadata) and got none or one it does not accept.',
  },
  WEFT_TIMEOUT: {
    grpc: GrpcStatus.DEADLINE_EXCEEDED,
    http: 504,
    retryable: true,
    meaning: 'A call did not answer within its timeout; the message names the executor and the timeout.',
  },
  WEFT_STARTUP: {
    grpc: GrpcStatus.UNAVAILABLE,
    http: 503,
    retryable: false,
    meaning: 'A runtime failed to become ready (its own error is attached), or readiness timed out.',
  },
  WEFT_UNSUPPORTED: {
    grpc: GrpcStatus.UNIMPLEMENTED,
    http: 501,
    retryable: false,
    meaning: 'An operation the chosen protocol or runtime does not offer (streamDoc over WebSocket).',
  },
  WEFT_NOT_FOUND: {
    grpc: GrpcStatus.NOT_FOUND,
    http: 404,
    retryable: false,
    meaning: 'No route or endpoint by that name on the gateway; the message lists what it serves.',
  },
  WEFT_NOT_STARTED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning: 'A Flow or Deployment was used before start() resolved; await start() first.',
  },
  WEFT_ALREADY_STARTED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning: 'A Flow was changed (an executor added) after start(); build the whole Flow before starting it.',
  },
  WEFT_CLOSED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning: 'A client or connection was used after close(); make a new one.',
  },
  WEFT_CANCELLED: {
    grpc: GrpcStatus.CANCELLED,
    http: 499,
    retryable: false,
    meaning: 'A call was cancelled by its own caller (an aborted signal, a stream left early).',
  },
  WEFT_PROTOCOL: {
    grpc: GrpcStatus.UNKNOWN,
    http: 502,
    retryable: false,
    meaning:
      'A peer answered outside the protocol spoken (an HTTP status instead of a WebSocket, text in bytes mode); check the URL names a weft or Jina gateway of that protocol.',
  },
  WEFT_INTERNAL: {
    grpc: GrpcStatus.INTERNAL,
    http: 500,
    retryable: false,
    meaning: 'An invariant inside weft broke (an encoder pass mismatch, an unexpected failure); please report it.',
  },
  // --- export and containers (weft export, docker:// executors) ---
  WEFT_EXPORT_TARGET: {
    grpc: GrpcStatus.ALREADY_EXISTS,
    http: 409,
    retryable: false,
    meaning: 'An export target (folder or file) already holds other files; choose an empty or new path.',
  },
  WEFT_NOT_CONTAINERIZABLE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning: 'An executor cannot be run in a container image (a class defined in code, a path outside the project).',
  },
  WEFT_CONTAINER_REQUIRED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    http: 500,
    retryable: false,
    meaning:
      'An executor is a container image (uses: docker://…) and no container engine is set: run with --container podman, or export the Flow.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The code of Jina's `StatusProto`: 0 success, 1 error. */
export const StatusCode = { SUCCESS: 0, ERROR: 1 } as const;
