/**
 * The configuration of a head process (what a Deployment passes as JSON in `WEFT_HEAD_CONFIG`) and its validation:
 * where to listen, the shards in shard order with their replicas' addresses, polling, the optional
 * `usesBefore`/`usesAfter` executors, and the retry and timeout settings of the connection pools.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors/index.js';
import type { Polling } from './polling.js';

/** The environment variable a head process reads its configuration from. */
export const HEAD_CONFIG_ENV = 'WEFT_HEAD_CONFIG';

/** A set of replicas the head talks to (one shard, or the uses_before/uses_after executor). */
export interface HeadTargetConfig {
  /** `encoder/shard-1`, `encoder/uses-after`. */
  name: string;
  replicas: { address: string; name?: string }[];
}

export interface HeadConfig {
  /** Runtime name (`encoder/head`). */
  name: string;
  /** Deployment name (`encoder`). */
  deployment: string;
  /** Interface to listen on (default 0.0.0.0). */
  host?: string;
  /** Port to listen on (0 = pick a free one and report it). */
  port: number;
  /** Port of the native transport for other weft runtimes (0 = a free one, the default; false = none). */
  nativePort?: number | false;
  shards: HeadTargetConfig[];
  polling?: Polling;
  usesBefore?: HeadTargetConfig;
  usesAfter?: HeadTargetConfig;
  /** Extra tries on unavailable replicas (-1: max(3, replicas)). */
  retries?: number;
  /** Per-call timeout towards shards, in ms (Jina's `timeout_send`). */
  timeoutSend?: number;
  /** Replica selection strategy name (default `round-robin`). */
  strategy?: string;
  /** Largest message in either direction, in bytes (default unlimited). */
  maxMessageBytes?: number;
  /** Grace period of the shutdown on SIGTERM/SIGINT, in ms (default 30 000). */
  shutdownGraceMs?: number;
}

const mode = z.string().regex(/^(any|all)$/i, "must be 'ANY' or 'ALL'");

const target = z.strictObject({
  name: z.string().min(1),
  replicas: z.array(z.strictObject({ address: z.string().min(1), name: z.string().min(1).optional() })).min(1),
});

const schema = z.strictObject({
  name: z.string().min(1),
  deployment: z.string().min(1),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535),
  nativePort: z.union([z.number().int().min(0).max(65535), z.literal(false)]).optional(),
  shards: z.array(target).min(1),
  polling: z.union([mode, z.record(z.string(), mode)]).optional(),
  usesBefore: target.optional(),
  usesAfter: target.optional(),
  retries: z.number().int().min(-1).optional(),
  timeoutSend: z.number().positive().optional(),
  strategy: z.string().min(1).optional(),
  maxMessageBytes: z.number().int().min(-1).optional(),
  shutdownGraceMs: z.number().nonnegative().optional(),
});

/**
 * Parse and validate a head configuration (JSON text or an object); errors name the offending key.
 * @example parseHeadConfig(process.env.WEFT_HEAD_CONFIG)
 */
export function parseHeadConfig(source: string | undefined | object): HeadConfig {
  if (source === undefined || source === '') {
    throw new ConfigError(`${HEAD_CONFIG_ENV} is not set: a head process is started by a Deployment`);
  }
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new ConfigError(`${HEAD_CONFIG_ENV} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid head configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  return r.data as HeadConfig;
}
