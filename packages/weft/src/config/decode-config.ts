/**
 * What a runtime process (worker, head, gateway) does with the configuration its parent validated: JSON text (or
 * an object) to an object, with a clear error when it is missing or not JSON. No schema library is involved: the
 * process that built the configuration validated it (`validateWorkerConfig`, `validateHeadConfig`,
 * `parseGatewayConfig`).
 */
import { ConfigError } from '../errors/index.js';

/**
 * Decode the configuration in `env` (its value passed as `source`).
 * @example decodeRuntimeConfig(process.env.WEFT_HEAD_CONFIG, 'WEFT_HEAD_CONFIG', 'head', 'a Deployment')
 */
export function decodeRuntimeConfig(
  source: string | undefined | object,
  env: string,
  kind: string,
  startedBy: string,
): Record<string, unknown> {
  if (source === undefined || source === '') {
    throw new ConfigError(`${env} is not set: a ${kind} process is started by ${startedBy}`);
  }
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new ConfigError(`${env} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`invalid ${kind} configuration: ${env} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
