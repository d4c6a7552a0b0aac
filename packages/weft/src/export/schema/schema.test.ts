import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { GOLDEN_FLOW } from '../../../test/golden/export/test-flow.js';
import { exportFlow } from '../index.js';
import { weftYamlJsonSchema } from './index.js';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as new (
  o: object,
) => {
  compile(s: object): ((v: unknown) => boolean) & { errors?: unknown[] | null };
};
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(weftYamlJsonSchema());
const COMMITTED = new URL('../../../../../docs/reference/weft.schema.json', import.meta.url);

describe('weft export schema', () => {
  it("accepts the repository's Flow and executor YAML files", () => {
    for (const file of [
      GOLDEN_FLOW,
      new URL('../../../../../examples/shop-the-look/flow.yml', import.meta.url).pathname,
    ]) {
      assert.ok(validate(parse(readFileSync(file, 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
    }
    assert.ok(
      validate({ jtype: 'MyExec', modules: ['./my-exec.ts'], with: { greeting: 'hi' }, requests: { '/a': 'b' } }),
    );
  });

  it('rejects unknown keys and wrong types, in snake_case as YAML writes them', () => {
    assert.equal(validate({ jtype: 'Flow', executors: [{ name: 'a', replicas: 'two' }] }), false);
    assert.equal(validate({ jtype: 'Flow', executors: [{ name: 'a', usesWith: {} }] }), false);
    assert.equal(
      validate({ jtype: 'Flow', with: { timeout_ready: 5 }, executors: [{ uses_with: { anyKey: 1 } }] }),
      true,
    );
    assert.equal(validate({ jtype: 'Flow', with: { port: '${{ ENV.PORT }}' } }), true);
    assert.equal(validate({ jtype: 'MyExec', bogus: 1 }), false);
  });

  it('prints the schema, and docs/reference/weft.schema.json is the current one', async () => {
    const { text } = await exportFlow('schema', undefined, undefined);
    assert.deepEqual(JSON.parse(text as string), weftYamlJsonSchema());
    if (process.env.UPDATE_GOLDEN === '1') await exportFlow('schema', undefined, COMMITTED.pathname);
    assert.equal(
      readFileSync(COMMITTED, 'utf8'),
      text,
      'regenerate: node --conditions=weft-source --import tsx packages/weft/bin/weft.mjs export schema docs/reference/weft.schema.json',
    );
  });
});
