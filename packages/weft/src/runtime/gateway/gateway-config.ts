/**
 * What a gateway runs from (its arguments alone, as Jina's): the routing graph, each executor's addresses, `when`
 * conditions, unreduced joins, timeouts, prefetch, the protocols with their ports, and the certificate and key when
 * the protocols serve TLS, the accepted tokens (`auth`) and the CA its executors' certificates come from when the
 * internal hops speak TLS (`internalCafile`; plain otherwise, as Jina's). Passed to a gateway process as JSON
 * in `WEFT_GATEWAY_CONFIG` by a Flow, which validated it (config/gateway-schema.ts): the gateway process only
 * decodes it and never loads zod. `weft gateway --graph-description … --deployments-addresses …` validates its
 * flags with the same schema.
 */
import { decodeRuntimeConfig, type GatewayConfig, type GatewayConfigInput } from '../../config/index.js';
import { ConfigError } from '../../errors/index.js';

export { parseGatewayConfig } from '../../config/index.js';
export type { GatewayConfig, GatewayConfigInput };

export const GATEWAY_CONFIG_ENV = 'WEFT_GATEWAY_CONFIG';

/**
 * Decode the gateway configuration its parent validated, filling the defaults the schema would.
 * @example decodeGatewayConfig(process.env.WEFT_GATEWAY_CONFIG)
 */
export function decodeGatewayConfig(source: string | object | undefined): GatewayConfig {
  const v = decodeRuntimeConfig(source, GATEWAY_CONFIG_ENV, 'gateway', 'a Flow or by `weft gateway`');
  if (v.graph === null || typeof v.graph !== 'object' || v.addresses === null || typeof v.addresses !== 'object') {
    throw new ConfigError('invalid gateway configuration: graph and addresses are required');
  }
  return {
    ...v,
    name: typeof v.name === 'string' ? v.name : 'gateway',
    host: typeof v.host === 'string' ? v.host : '0.0.0.0',
    protocols: Array.isArray(v.protocols) ? v.protocols : [{ protocol: 'grpc', port: 0 }],
  } as GatewayConfig;
}
