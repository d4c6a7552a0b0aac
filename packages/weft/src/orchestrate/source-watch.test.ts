// Which files `weft flow --reload` watches for an executor: the module a `uses:` names, an executor YAML and the
// modules it loads (relative to the YAML's folder); nothing for built-ins, npm packages and container images.
// The restarts themselves are exercised with a real Flow in test/integration/reload/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { usesSources } from './source-watch.js';

describe('usesSources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sources-'));
  mkdirSync(join(dir, 'execs'));
  writeFileSync(
    join(dir, 'execs', 'tagger.yml'),
    'jtype: ./tagger.ts#Tagger\nmodules: [./helpers.ts]\nwith: { tag: x }\n',
  );

  it('a module path, with or without its export name, relative or as a file URL', () => {
    assert.deepEqual(usesSources('./execs/tagger.ts#Tagger', dir), [join(dir, 'execs', 'tagger.ts')]);
    assert.deepEqual(usesSources('../other/x.mjs', dir), [join(dir, '..', 'other', 'x.mjs')]);
    const url = pathToFileURL(join(dir, 'execs', 'a.ts')).href;
    assert.deepEqual(usesSources(`${url}#A`, dir), [join(dir, 'execs', 'a.ts')]);
  });

  it('an executor YAML, its jtype module and its modules, relative to the YAML', () => {
    assert.deepEqual(usesSources('execs/tagger.yml', dir), [
      join(dir, 'execs', 'tagger.yml'),
      join(dir, 'execs', 'tagger.ts'),
      join(dir, 'execs', 'helpers.ts'),
    ]);
  });

  it('inline executor YAML: its local modules, relative to the Flow', () => {
    assert.deepEqual(usesSources('jtype: Tagger\nmodules: [./execs/tagger.ts]\n', dir), [
      join(dir, 'execs', 'tagger.ts'),
    ]);
  });

  it('nothing for built-ins, npm packages, container images and classes', () => {
    for (const uses of ['ImageEncoder', 'BaseExecutor', 'npm:greeter@^0.1', 'docker://ranker:1', 'pkg#Exec']) {
      assert.deepEqual(usesSources(uses, dir), [], uses);
    }
    assert.deepEqual(usesSources(class {}, dir), []);
  });
});
