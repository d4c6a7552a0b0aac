/**
 * The gateway's options: the HTTP protocol's (CORS, the API page, built-in routes, `exposeEndpoints`, GraphQL,
 * user routes and a static folder) and the whole gateway configuration a gateway process runs from (the routing
 * graph, each executor's addresses, conditions, protocols and ports, TLS). Validated here, in the process that
 * builds the configuration (a Flow, `weft gateway`); the gateway process only decodes it
 * (`runtime/gateway/gateway-config.ts`).
 */
import type { z as Z } from 'zod';
import { ConfigError } from '../errors/index.js';
import { camelKeys } from './keys.js';
import { validate } from './schema-error.js';
import { described as d, parts } from './schema-parts.js';
import { lazy, zod } from './zod-lib.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const gatewaySchemas = lazy(() => {
  const z = zod();
  const { port, hook, auth } = parts();
  const method = z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(HTTP_METHODS));
  /** One `exposeEndpoints` entry (Jina's `expose_endpoints` JSON: FastAPI route arguments). */
  const exposeEntry = z.strictObject({
    methods: z.array(method).min(1).optional(),
    summary: z.string().optional(),
    description: z.string().optional(),
    tags: z.array(z.string()).optional(),
    deprecated: z.boolean().optional(),
    httpPath: z.string().startsWith('/').optional(),
    http_path: z.string().startsWith('/').optional(),
  });
  const exposeEndpoints = z.record(z.string().startsWith('/'), exposeEntry);
  /** Jina's CLI writes `--expose-endpoints` as JSON text: read, then validated like the object. */
  const exposeEndpointsOrText = z.preprocess((v) => (typeof v === 'string' ? jsonOr(v) : v), exposeEndpoints);
  /** What the HTTP (and WebSocket) protocol reads from the gateway's `protocolOptions`; defaults are the protocol's. */
  const http = z.strictObject({
    cors: d('cors', z.boolean()).optional(),
    title: d('title', z.string()).optional(),
    description: d('description', z.string()).optional(),
    noDebugEndpoints: d('noDebugEndpoints', z.boolean()).optional(),
    noCrudEndpoints: d('noCrudEndpoints', z.boolean()).optional(),
    exposeEndpoints: d('exposeEndpoints', exposeEndpointsOrText).optional(),
    exposeGraphqlEndpoint: d('exposeGraphqlEndpoint', z.boolean()).optional(),
    discoveryTimeoutMs: d('discoveryTimeoutMs', z.number().nonnegative()).optional(),
    httpPlugins: d('httpPlugins', z.array(hook)).optional(),
    staticFolder: d('staticFolder', z.string().min(1)).optional(),
    staticPrefix: d('staticPrefix', z.string().startsWith('/')).optional(),
    maxMessageBytes: d('maxMessageBytes', z.number().int().min(-1)).optional(),
  });
  const perNode = z.union([z.number(), z.record(z.string(), z.number())]);
  /** The gateway's limits (limits/gateway-limits.ts); YAML may write the keys in snake_case. */
  const count = z.number().int().nonnegative();
  const limits = z.preprocess(
    (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? camelKeys(v as Record<string, unknown>) : v),
    z.strictObject({
      maxDocs: count.optional(),
      maxConcurrent: count.optional(),
      maxConcurrentPerConnection: count.optional(),
      maxHeaderBytes: count.optional(),
      graphqlMaxDepth: count.optional(),
      graphqlMaxBytes: count.optional(),
    }),
  );
  const gateway = z.strictObject({
    name: d('name', z.string().min(1)).default('gateway'),
    graph: d('graph', z.record(z.string(), z.array(z.string()))),
    addresses: d('addresses', z.record(z.string(), z.array(z.string().min(1)).min(1))),
    conditions: d('conditions', z.record(z.string(), z.record(z.string(), z.unknown()))).optional(),
    noReduce: d('gatewayNoReduce', z.array(z.string())).optional(),
    timeoutSend: d('timeoutSend', perNode).optional(),
    retries: d('retries', perNode).optional(),
    prefetch: d('prefetch', z.number().int().nonnegative()).optional(),
    host: d('host', z.string().min(1)).default('0.0.0.0'),
    protocols: z
      .array(z.strictObject({ protocol: z.string().min(1), port }))
      .min(1)
      .default([{ protocol: 'grpc', port: 0 }]),
    maxMessageBytes: d('maxMessageBytes', z.number().int().min(-1)).optional(),
    limits: d('limits', limits).optional(),
    /** Options for the HTTP/WebSocket protocols (cors, title, description, exposeEndpoints, …). */
    protocolOptions: http.optional(),
    /** Module names of `(ctx, next)` interceptors around every request (functions cannot cross to a process). */
    interceptors: d('interceptors', z.array(z.string().min(1))).optional(),
    /** Directory relative interceptor and HTTP plugin modules resolve against (the Flow YAML's folder). */
    cwd: d('cwd', z.string().min(1)).optional(),
    shutdownGraceMs: z.number().nonnegative().optional(),
    sslCertfile: d('sslCertfile', z.string().min(1)).optional(),
    sslKeyfile: d('sslKeyfile', z.string().min(1)).optional(),
    auth: d('auth', auth).optional(),
    /** TLS towards the executors: the CA that signed their certificates (PEM file). */
    internalCafile: z.string().min(1).optional(),
    monitoring: d('monitoring', z.boolean()).optional(),
    portMonitoring: d('portMonitoring', port).optional(),
  });
  return { exposeEndpoints, http, gateway, limits };
});

/** `text` parsed as JSON, or `text` itself when it is not JSON (the schema then says what was expected). */
function jsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type GatewaySchemas = ReturnType<typeof gatewaySchemas>;
/** A gateway's configuration as it runs (defaults filled in). */
export type GatewayConfig = Z.output<GatewaySchemas['gateway']>;
/** A gateway's configuration as written (defaults may be left out). */
export type GatewayConfigInput = Z.input<GatewaySchemas['gateway']>;
/** The HTTP protocol's options as written. */
export type HttpOptionsInput = Z.input<GatewaySchemas['http']>;

/**
 * Validate a gateway configuration (an object, or its JSON text); errors name the key.
 * @example parseGatewayConfig({ graph: { 'start-gateway': ['a'], a: ['end-gateway'] }, addresses: { a: ['h:1'] } })
 */
export function parseGatewayConfig(source: string | object | undefined): GatewayConfig {
  if (source === undefined || source === '') throw new ConfigError('no gateway configuration given');
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new ConfigError(`gateway configuration is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const config = validate(gatewaySchemas().gateway, value, 'gateway configuration');
  if ((config.sslCertfile === undefined) !== (config.sslKeyfile === undefined)) {
    throw new ConfigError(
      `gateway configuration: sslCertfile and sslKeyfile go together (TLS needs the certificate and its private key); got only ${config.sslCertfile === undefined ? 'sslKeyfile' : 'sslCertfile'}`,
    );
  }
  for (const node of Object.keys(config.graph)) {
    if (node !== 'start-gateway' && node !== 'end-gateway' && !config.addresses[node]) {
      throw new ConfigError(`gateway configuration: executor '${node}' of the graph has no entry in the addresses`, {
        details: { executor: node },
      });
    }
  }
  return config;
}

/**
 * Validate the options of the HTTP protocol (as a Flow or `weft gateway` passes them); `exposeEndpoints` may be
 * JSON text (Jina's CLI writes it so). Keys of other protocols are left alone.
 */
export function parseHttpProtocolOptions(options: Record<string, unknown>): HttpOptionsInput {
  const known = gatewaySchemas().http.shape;
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (k in known) own[k] = v;
  if (typeof own.exposeEndpoints === 'string') {
    try {
      own.exposeEndpoints = JSON.parse(own.exposeEndpoints);
    } catch (err) {
      throw new ConfigError(`exposeEndpoints is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  return validate(gatewaySchemas().http, own, 'HTTP gateway options') as HttpOptionsInput;
}
