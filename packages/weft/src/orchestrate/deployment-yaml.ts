/**
 * `Deployment.load('deployment.yml')`: a YAML file with `jtype: Deployment` and the options under `with:` in
 * snake_case (`uses`, `replicas`, `uses_with`, `timeout_ready`, …), `${{ ENV.X }}` substituted, validated against
 * the option schema with errors naming file, line and the key as written; relative `uses` resolve against the
 * file's folder.
 */
import { dirname, resolve } from 'node:path';
import { loadYamlFile, type ParsedDeploymentOptions, parseDeploymentYaml } from '../config/index.js';

/**
 * Read and validate a Deployment YAML file; throws `ConfigError` naming file, line and key.
 * @example const options = loadDeploymentYaml('deployment.yml', { env: { REPLICAS: '2' } })
 */
export function loadDeploymentYaml(
  file: string,
  options: { env?: Record<string, string | undefined> } = {},
): ParsedDeploymentOptions {
  const path = resolve(file);
  const source = loadYamlFile(path, options.env ? { env: options.env } : {});
  const opts = parseDeploymentYaml(source, `Deployment file ${path}`);
  return { ...opts, cwd: opts.cwd !== undefined ? resolve(dirname(path), opts.cwd) : dirname(path) };
}
