import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { parseYaml } from './yaml-file.js';

describe('parseYaml', () => {
  // found by the fuzz scenario: the yaml library's ReferenceError escaped without a weft code
  it('refuses an alias used before its anchor with a ConfigError', () => {
    assert.throws(
      () => parseYaml('*type: : WhoAmI\n', 'fuzz.yml'),
      (err) => err instanceof ConfigError && err.code === 'WEFT_CONFIG' && /fuzz\.yml/.test(err.message),
    );
  });
});
