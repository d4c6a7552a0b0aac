/**
 * The gateway's limits: how much one request may carry and how many may be in flight, each refused with its own
 * coded error while the gateway keeps serving (docs/guides/limits.md). Set with the `limits` option of a Flow or a
 * gateway (YAML `limits:` with snake_case or camelCase keys); a limit of 0 switches it off. Message bytes stay the
 * `maxMessageBytes` option (every protocol applies it: gRPC's receive length, fastify's body limit, ws's
 * `maxPayload`).
 */

export interface GatewayLimits {
  /** Documents in one request (default 10 000). */
  maxDocs: number;
  /** Requests in flight at the gateway over all connections; more answer `WEFT_OVERLOADED` (default 4096). */
  maxConcurrent: number;
  /** Requests in flight on one connection; more answer `WEFT_TOO_MANY_REQUESTS` (default 1024). */
  maxConcurrentPerConnection: number;
  /** Bytes of a request's headers or gRPC metadata, names and values (default 16 KiB). */
  maxHeaderBytes: number;
  /** Nesting depth of a GraphQL query's selections (default 12). */
  graphqlMaxDepth: number;
  /** Bytes of a GraphQL query's text (default 64 KiB). */
  graphqlMaxBytes: number;
}

export type GatewayLimitsInput = Partial<GatewayLimits>;

export const DEFAULT_LIMITS: Readonly<GatewayLimits> = Object.freeze({
  maxDocs: 10_000,
  maxConcurrent: 4096,
  maxConcurrentPerConnection: 1024,
  maxHeaderBytes: 16 * 1024,
  graphqlMaxDepth: 12,
  graphqlMaxBytes: 64 * 1024,
});

/** The largest message a gateway protocol accepts when `maxMessageBytes` is not set (256 MiB), on every protocol. */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** How long a client is told to wait before retrying a refusal for back-pressure (HTTP `Retry-After`). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * The limits with defaults filled in; keys may be snake_case (as YAML writes them). Validation is the option
 * schema's (`config/`); here only the numbers are read.
 * @example resolveLimits({ max_docs: 100 }).maxDocs // 100
 */
export function resolveLimits(input: Record<string, unknown> | undefined = {}): GatewayLimits {
  const out: GatewayLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(input ?? {})) {
    const key = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) as keyof GatewayLimits;
    if (key in out && typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
  }
  return out;
}
