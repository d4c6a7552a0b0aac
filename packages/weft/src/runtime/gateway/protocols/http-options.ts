/**
 * The HTTP gateway's options (the `protocolOptions` a Flow passes, as Jina's gateway arguments): CORS, the API
 * page's title and description, which built-in routes exist, `exposeEndpoints` remappings, GraphQL, and the app's
 * own routes and static folder (`httpPlugins`, `staticFolder`, `staticPrefix`), validated
 * once so a typo fails the gateway's start with the key named instead of silently serving the wrong routes.
 */
import { z } from 'zod';
import { configErrorFromZod } from '../../../config/index.js';
import { ConfigError } from '../../../errors/index.js';
import type { ServerTls } from '../gateway-tls.js';
import type { HttpPlugin, UserRoutes } from './http-plugins.js';
import type { ProtocolServerOptions } from './protocol.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Largest body accepted when `maxMessageBytes` is not set (256 MiB). */
export const DEFAULT_HTTP_BODY_LIMIT = 256 * 1024 * 1024;
/** A JSON body cannot be larger than the longest string V8 holds; `maxMessageBytes: -1` means this. */
const LARGEST_JSON_TEXT = 0x1fffffe8;

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

const httpOptionsSchema = z.object({
  cors: z.boolean().default(false),
  title: z.string().default('My weft service'),
  description: z
    .string()
    .default('A weft Flow. Set `title` and `description` in the Flow (or gateway) options to change this text.'),
  noDebugEndpoints: z.boolean().default(false),
  noCrudEndpoints: z.boolean().default(false),
  exposeEndpoints: z.record(z.string().startsWith('/'), exposeEntry).default({}),
  exposeGraphqlEndpoint: z.boolean().default(false),
  /** How long start-up waits for the executors' endpoint lists before serving with what it has (ms). */
  discoveryTimeoutMs: z.number().nonnegative().default(10_000),
  /** The app's own fastify plugins (module specifiers `./routes.ts#shop`, or functions in-process). */
  httpPlugins: z
    .array(z.union([z.string().min(1), z.custom<HttpPlugin>((v) => typeof v === 'function', 'a fastify plugin')]))
    .default([]),
  /** A folder served as static files under `staticPrefix`. */
  staticFolder: z.string().min(1).optional(),
  staticPrefix: z.string().startsWith('/').default('/'),
  /** Where relative plugin specifiers and `staticFolder` resolve (default: the working directory). */
  cwd: z.string().min(1).optional(),
});

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
  /** The app's own plugins and static folder (see `http-plugins.ts`). */
  userRoutes: UserRoutes;
  /** Serve HTTPS with this certificate and key. */
  tls?: ServerTls;
}

/** Validate the options a gateway hands the HTTP protocol; throws `ConfigError` naming the key. */
export function parseHttpOptions(options: ProtocolServerOptions): HttpOptions {
  const { host, port, maxMessageBytes, tls, ...rest } = options;
  let expose = rest.exposeEndpoints;
  if (typeof expose === 'string') {
    // Jina's CLI passes `--expose-endpoints` as JSON text
    try {
      expose = JSON.parse(expose);
    } catch (err) {
      throw new ConfigError(`exposeEndpoints is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const r = httpOptionsSchema.safeParse({ ...rest, exposeEndpoints: expose });
  if (!r.success) throw configErrorFromZod(r.error, undefined, 'HTTP gateway options');
  const o = r.data;
  const exposeEndpoints = new Map<string, ExposedEndpoint>();
  for (const [endpoint, e] of Object.entries(o.exposeEndpoints)) {
    exposeEndpoints.set(endpoint, {
      methods: [...new Set<HttpMethod>(e.methods ?? ['POST'])],
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
    cors: o.cors,
    title: o.title,
    description: o.description,
    noDebugEndpoints: o.noDebugEndpoints,
    noCrudEndpoints: o.noCrudEndpoints,
    exposeEndpoints,
    exposeGraphqlEndpoint: o.exposeGraphqlEndpoint,
    discoveryTimeoutMs: o.discoveryTimeoutMs,
    userRoutes: {
      plugins: o.httpPlugins,
      ...(o.staticFolder !== undefined ? { staticFolder: o.staticFolder } : {}),
      staticPrefix: o.staticPrefix,
      cwd: o.cwd ?? process.cwd(),
    },
    ...(tls ? { tls } : {}),
  };
}
