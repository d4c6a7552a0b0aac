/**
 * What a gateway runs from (its arguments alone, as Jina's): the routing graph, each executor's addresses, `when`
 * conditions, unreduced joins, timeouts, prefetch, the protocols with their ports, and the certificate and key when
 * the protocols serve TLS (internal hops to executors stay plain, as Jina's). Passed to a gateway process
 * as JSON in `WEFT_GATEWAY_CONFIG`, or built from `weft gateway --graph-description … --deployments-addresses …`.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors/index.js';

export const GATEWAY_CONFIG_ENV = 'WEFT_GATEWAY_CONFIG';

const perNode = z.union([z.number(), z.record(z.string(), z.number())]);

export const gatewayConfigSchema = z.strictObject({
  name: z.string().min(1).default('gateway'),
  graph: z.record(z.string(), z.array(z.string())),
  addresses: z.record(z.string(), z.array(z.string().min(1)).min(1)),
  conditions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  noReduce: z.array(z.string()).optional(),
  timeoutSend: perNode.optional(),
  retries: perNode.optional(),
  prefetch: z.number().int().nonnegative().optional(),
  host: z.string().min(1).default('0.0.0.0'),
  protocols: z
    .array(z.strictObject({ protocol: z.string().min(1), port: z.number().int().min(0).max(65535) }))
    .min(1)
    .default([{ protocol: 'grpc', port: 0 }]),
  maxMessageBytes: z.number().int().min(-1).optional(),
  /** Options for the HTTP/WebSocket protocols (cors, title, description, exposeEndpoints, …). */
  protocolOptions: z.record(z.string(), z.unknown()).optional(),
  shutdownGraceMs: z.number().nonnegative().optional(),
  /** PEM certificate (chain) and private key: every protocol serves TLS (Jina's `ssl_certfile`/`ssl_keyfile`). */
  sslCertfile: z.string().min(1).optional(),
  sslKeyfile: z.string().min(1).optional(),
  /** Interceptors around every client request: module specifiers (against `cwd`) or built-in names. */
  interceptors: z.array(z.string().min(1)).optional(),
  /** Directory relative module specifiers (interceptors, HTTP plugins) and folders resolve against. */
  cwd: z.string().min(1).optional(),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

/** Validate a gateway configuration (JSON text or object); errors name the key. */
export function parseGatewayConfig(source: string | object | undefined): GatewayConfig {
  if (source === undefined || source === '') {
    throw new ConfigError(
      `${GATEWAY_CONFIG_ENV} is not set: a gateway process is started by a Flow or by \`weft gateway\``,
    );
  }
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new ConfigError(`gateway configuration is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const r = gatewayConfigSchema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid gateway configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  if ((r.data.sslCertfile === undefined) !== (r.data.sslKeyfile === undefined)) {
    throw new ConfigError(
      `gateway configuration: sslCertfile and sslKeyfile go together (TLS needs the certificate and its private key); got only ${r.data.sslCertfile === undefined ? 'sslKeyfile' : 'sslCertfile'}`,
    );
  }
  for (const node of Object.keys(r.data.graph)) {
    if (node !== 'start-gateway' && node !== 'end-gateway' && !r.data.addresses[node]) {
      throw new ConfigError(`gateway configuration: executor '${node}' of the graph has no entry in the addresses`, {
        details: { executor: node },
      });
    }
  }
  return r.data;
}
