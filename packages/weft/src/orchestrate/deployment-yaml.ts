/**
 * `Deployment.load('deployment.yml')`: a YAML file with `jtype: Deployment` and the options under `with:` in
 * snake_case (`uses`, `replicas`, `uses_with`, `timeout_ready`, …), `${{ ENV.X }}` substituted, validated against
 * the option schema with errors naming file, line and the key as written; relative `uses` resolve against the
 * file's folder.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { camelKeys, configErrorFromIssues, configErrorFromZod, loadYamlFile } from '../config/index.js';
import { type DeploymentOptions, deploymentOptionsSchema } from './deployment-options.js';

const fileSchema = z.strictObject({
  jtype: z.literal('Deployment', { error: "must be 'Deployment'" }),
  version: z.union([z.string(), z.number()]).optional(),
  with: z.record(z.string(), z.unknown()),
});

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Read and validate a Deployment YAML file; throws `ConfigError` naming file, line and key.
 * @example const options = loadDeploymentYaml('deployment.yml', { env: { REPLICAS: '2' } })
 */
export function loadDeploymentYaml(
  file: string,
  options: { env?: Record<string, string | undefined> } = {},
): DeploymentOptions {
  const path = resolve(file);
  const what = `Deployment file ${path}`;
  const source = loadYamlFile(path, options.env ? { env: options.env } : {});
  const top = fileSchema.safeParse(source.value);
  if (!top.success) throw configErrorFromZod(top.error, source, what);
  const parsed = deploymentOptionsSchema.safeParse(camelKeys(top.data.with));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const [first, ...rest] = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const path = [
        'with',
        ...(first === undefined ? [] : [typeof first === 'string' ? snake(first) : first]),
        ...rest,
      ];
      const message =
        issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map(snake).join(', ')}` : issue.message;
      return { path, message };
    });
    throw configErrorFromIssues(issues, source, what);
  }
  const opts = parsed.data as DeploymentOptions;
  return { ...opts, cwd: opts.cwd !== undefined ? resolve(dirname(path), opts.cwd) : dirname(path) };
}
