/**
 * The configuration of a head process (what a Deployment passes as JSON in `WEFT_HEAD_CONFIG`): where to listen,
 * the shards in shard order with their replicas' addresses, polling, the optional `usesBefore`/`usesAfter`
 * executors, and the retry and timeout settings of the connection pools. The Deployment validated it
 * (config/runtime-schema.ts); the head only decodes it and never loads zod.
 */
import { decodeRuntimeConfig, type HeadConfig, type HeadTargetConfig } from '../../config/index.js';
import { ConfigError } from '../../errors/index.js';

export type { HeadConfig, HeadTargetConfig };

/** The environment variable a head process reads its configuration from. */
export const HEAD_CONFIG_ENV = 'WEFT_HEAD_CONFIG';

/**
 * Decode a head configuration (JSON text or an object) its parent validated.
 * @example decodeHeadConfig(process.env.WEFT_HEAD_CONFIG)
 */
export function decodeHeadConfig(source: string | undefined | object): HeadConfig {
  const value = decodeRuntimeConfig(source, HEAD_CONFIG_ENV, 'head', 'a Deployment') as Partial<HeadConfig>;
  if (typeof value.name !== 'string' || typeof value.port !== 'number' || !Array.isArray(value.shards)) {
    throw new ConfigError('invalid head configuration: name, port and shards are required');
  }
  return value as HeadConfig;
}
