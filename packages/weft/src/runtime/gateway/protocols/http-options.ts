/**
 * The HTTP gateway's options (the `protocolOptions` a Flow passes, as Jina's gateway arguments): CORS, the API
 * page's title and description, which built-in routes exist, `exposeEndpoints` remappings and GraphQL, user routes
 * and a static folder. They are validated with the one option schema (config/gateway-schema.ts) by whoever builds
 * the gateway's configuration, so a typo fails with the key named; here they are only given their defaults and
 * shaped for the routes (a gateway process never loads zod).
 */
import { HTTP_METHODS, type HttpOptionsInput } from '../../../config/index.js';
import { ConfigError } from '../../../errors/index.js';
import { type GatewayLimits, resolveLimits } from '../../../limits/index.js';
import type { ServerTls } from '../gateway-tls.js';
import type { ProtocolServerOptions } from './protocol.js';

export { HTTP_METHODS };
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Largest body accepted when `maxMessageBytes` is not set (256 MiB). */
export const DEFAULT_HTTP_BODY_LIMIT = 256 * 1024 * 1024;
/** A JSON body cannot be larger than the longest string V8 holds; `maxMessageBytes: -1` means this. */
const LARGEST_JSON_TEXT = 0x1fffffe8;

/** One `exposeEndpoints` entry as validated (Jina's FastAPI route arguments). */
interface ExposeEntry {
  methods?: string[];
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  httpPath?: string;
  http_path?: string;
}

const DEFAULTS = {
  title: 'My weft service',
  description: 'A weft Flow. Set `title` and `description` in the Flow (or gateway) options to change this text.',
  discoveryTimeoutMs: 10_000,
};

export interface ExposedEndpoint {
  methods: HttpMethod[];
  path: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
}

export interface HttpOptions {
  host: string;
  port: number;
  /** fastify's `bodyLimit`, from `maxMessageBytes`. */
  bodyLimit: number;
  cors: boolean;
  title: string;
  description: string;
  noDebugEndpoints: boolean;
  noCrudEndpoints: boolean;
  /** Executor endpoint → how it is exposed. */
  exposeEndpoints: Map<string, ExposedEndpoint>;
  exposeGraphqlEndpoint: boolean;
  discoveryTimeoutMs: number;
  /** fastify plugins mounting user routes (modules, or the functions themselves in code). */
  httpPlugins?: NonNullable<HttpOptionsInput['httpPlugins']>;
  /** A folder served as static files, under `staticPrefix` (default `/`). */
  staticFolder?: string;
  staticPrefix?: string;
  /** Where relative plugin modules and `staticFolder` resolve (the gateway's `cwd`; default the working directory). */
  cwd?: string;
  /** Serve HTTPS with this certificate and key. */
  tls?: ServerTls;
  /** The gateway's limits (header bytes and GraphQL apply here; the rest in the gateway's interceptor). */
  limits: GatewayLimits;
}

/** The options a gateway hands the HTTP protocol (validated where the configuration was built), with defaults. */
export function parseHttpOptions(options: ProtocolServerOptions): HttpOptions {
  const { host, port, maxMessageBytes, tls, limits, ...rest } = options;
  const o = rest as HttpOptionsInput & { exposeEndpoints?: unknown };
  let expose = o.exposeEndpoints ?? {};
  if (typeof expose === 'string') {
    // Jina's CLI passes `--expose-endpoints` as JSON text
    try {
      expose = JSON.parse(expose);
    } catch (err) {
      throw new ConfigError(`exposeEndpoints is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const exposeEndpoints = new Map<string, ExposedEndpoint>();
  for (const [endpoint, e] of Object.entries(expose as Record<string, ExposeEntry>)) {
    exposeEndpoints.set(endpoint, {
      methods: [...new Set((e.methods ?? ['POST']).map((m) => m.toUpperCase() as HttpMethod))],
      path: e.httpPath ?? e.http_path ?? endpoint,
      ...(e.summary !== undefined ? { summary: e.summary } : {}),
      ...(e.description !== undefined ? { description: e.description } : {}),
      ...(e.tags !== undefined ? { tags: e.tags } : {}),
      ...(e.deprecated !== undefined ? { deprecated: e.deprecated } : {}),
    });
  }
  const max = typeof maxMessageBytes === 'number' ? maxMessageBytes : undefined;
  return {
    host,
    port,
    bodyLimit:
      max === undefined ? DEFAULT_HTTP_BODY_LIMIT : max < 0 ? LARGEST_JSON_TEXT : Math.min(max, LARGEST_JSON_TEXT),
    cors: o.cors ?? false,
    title: o.title ?? DEFAULTS.title,
    description: o.description ?? DEFAULTS.description,
    noDebugEndpoints: o.noDebugEndpoints ?? false,
    noCrudEndpoints: o.noCrudEndpoints ?? false,
    exposeEndpoints,
    exposeGraphqlEndpoint: o.exposeGraphqlEndpoint ?? false,
    discoveryTimeoutMs: o.discoveryTimeoutMs ?? DEFAULTS.discoveryTimeoutMs,
    ...(o.httpPlugins !== undefined ? { httpPlugins: o.httpPlugins } : {}),
    ...(o.staticFolder !== undefined ? { staticFolder: o.staticFolder } : {}),
    ...(o.staticPrefix !== undefined ? { staticPrefix: o.staticPrefix } : {}),
    ...(typeof rest.cwd === 'string' ? { cwd: rest.cwd } : {}),
    ...(tls ? { tls } : {}),
    limits: resolveLimits(limits as Record<string, unknown> | undefined),
  };
}
