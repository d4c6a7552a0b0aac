/**
 * The log level and OpenTelemetry flags of the commands that are themselves a runtime (`weft executor`,
 * `weft gateway`, the entrypoints of exported containers): validated with the option schema, then put into this
 * process's environment, where the logger and `startTelemetry` read them as a runtime started by a Flow does.
 */
import { flowSchemas, validate } from '../config/index.js';
import { observabilityEnv } from '../observability/index.js';
import { type FlagSpec, optionValues, usageFromConfig } from './option-flags.js';

const IDS = [
  'logLevel',
  'tracing',
  'tracesExporterHost',
  'tracesExporterPort',
  'metrics',
  'metricsExporterHost',
  'metricsExporterPort',
] as const;

export const TELEMETRY_FLAGS: readonly FlagSpec[] = IDS;

/** Validate the telemetry flags among `values` and apply them to `env` (default: this process's). */
export function applyTelemetryFlags(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const given = optionValues(TELEMETRY_FLAGS, values);
  if (Object.keys(given).length === 0) return;
  const pick = Object.fromEntries(IDS.map((k) => [k, true])) as Record<(typeof IDS)[number], true>;
  let options: Parameters<typeof observabilityEnv>[0];
  try {
    options = validate(flowSchemas().executor.pick(pick), given, 'flags');
  } catch (err) {
    throw usageFromConfig(err, TELEMETRY_FLAGS);
  }
  Object.assign(env, observabilityEnv(options));
}
