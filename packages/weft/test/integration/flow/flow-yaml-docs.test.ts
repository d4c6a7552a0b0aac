// docs/reference/flow-yaml.md documents every key of the Flow YAML schema: a key added to the option schema
// without documentation (or a documented key the schema dropped) fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flowSchemas } from '../../../src/config/index.js';

const doc = readFileSync(new URL('../../../../../docs/reference/flow-yaml.md', import.meta.url), 'utf8');
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The keys of the table under the heading that starts with `heading`. */
function documentedKeys(heading: string): string[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading)) ?? '';
  return [...section.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1] as string);
}

describe('docs/reference/flow-yaml.md', () => {
  it('documents every Flow option (with:) and no other', () => {
    assert.deepEqual(documentedKeys('`with:`').sort(), Object.keys(flowSchemas().flow.shape).map(snake).sort());
  });

  it('documents every executor option (executors:) and no other', () => {
    assert.deepEqual(
      documentedKeys('`executors:`').sort(),
      Object.keys(flowSchemas().executor.shape).map(snake).sort(),
    );
  });
});
