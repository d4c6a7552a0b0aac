import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { deploymentJsonSchema, executorJsonSchema, flowJsonSchema } from './json-schema.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every `.yml` under `dir` (node_modules and dist left out). */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** The repository's weft YAML files: examples/**, packages/<pkg>/test/**. */
function repositoryYaml(): string[] {
  const packages = readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'test'));
  return [join(root, 'examples'), ...packages]
    .flatMap((d) => {
      try {
        return yamlFiles(d);
      } catch {
        return [];
      }
    })
    .sort();
}

/** Fixtures that are wrong on purpose (their tests check the error). */
const INVALID = new Set([
  'packages/weft/test/fixtures/executors/bad.yml',
  'packages/weft/test/integration/flow/fixtures/bad-flow.yml',
]);

describe('JSON Schema of the YAML files', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validators = {
    Flow: ajv.compile(flowJsonSchema()),
    Deployment: ajv.compile(deploymentJsonSchema()),
    executor: ajv.compile(executorJsonSchema()),
  };

  it('validates every YAML file of the repository, and rejects the ones wrong on purpose', () => {
    const files = repositoryYaml();
    assert.ok(files.length >= 8, `found ${files.length} YAML files`);
    const kinds = new Set<string>();
    for (const file of files) {
      const name = relative(root, file);
      const text = readFileSync(file, 'utf8');
      if (!/^jtype:/m.test(text)) continue; // not a weft file (golden Kubernetes or compose exports)
      const value = parse(text) as { jtype?: string };
      const kind = value.jtype === 'Flow' || value.jtype === 'Deployment' ? value.jtype : 'executor';
      kinds.add(kind);
      const validate = validators[kind];
      const ok = validate(value);
      if (INVALID.has(name)) assert.equal(ok, false, `${name} is invalid on purpose`);
      else assert.ok(ok, `${name}: ${ajv.errorsText(validate.errors)}`);
    }
    assert.deepEqual([...kinds].sort(), ['Deployment', 'Flow', 'executor']);
  });

  it('says what each option means, accepts expressions for numbers and booleans, and nothing unknown', () => {
    const env = (name: string) => `\${{ ENV.${name} }}`;
    const flow = flowJsonSchema() as { properties: { with: { properties: Record<string, { description?: string }> } } };
    assert.match(flow.properties.with.properties.timeout_send?.description ?? '', /per-call timeout/);
    // every option has its help from the option table
    const described = (props: Record<string, { description?: string }>) =>
      Object.entries(props)
        .filter(([, v]) => !v.description)
        .map(([k]) => k);
    const executors = (
      flowJsonSchema() as { properties: { executors: { items: { properties: Record<string, object> } } } }
    ).properties.executors.items.properties;
    const deployment = (deploymentJsonSchema() as { properties: { with: { properties: Record<string, object> } } })
      .properties.with.properties;
    assert.deepEqual(
      [described(flow.properties.with.properties), described(executors), described(deployment)],
      [[], [], []],
    );
    const ok = validators.Flow;
    assert.ok(ok({ jtype: 'Flow', with: { port: env('PORT'), cors: env('CORS') } }), ajv.errorsText(ok.errors));
    assert.equal(ok({ jtype: 'Flow', with: { port: 'eighty' } }), false);
    assert.equal(ok({ jtype: 'Flow', with: { colour: 'red' } }), false);
    assert.equal(ok({ jtype: 'Flow', executors: [{ uses: 'X', replicas: 0 }] }), false);
    assert.ok(validators.executor({ jtype: 'X', dynamic_batching: { '/a': { preferred_batch_size: 2 } } }));
  });
});
