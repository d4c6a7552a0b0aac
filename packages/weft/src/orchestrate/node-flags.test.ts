import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childExecArgv } from './node-flags.js';

describe('childExecArgv', () => {
  it('adds the parent’s module-loading options, once, and nothing else', () => {
    const entry = ['--conditions=weft-source', '--import', 'file:///x/node_modules/tsx/dist/loader.mjs'];
    const parent = [
      '--conditions=weft-source',
      '--import',
      'tsx',
      '--inspect=9229',
      '--require',
      './setup.cjs',
      '--enable-source-maps',
      '--test',
      '-C',
      'custom',
      '--max-old-space-size=4096',
    ];
    assert.deepEqual(childExecArgv(entry, parent), [
      ...entry,
      '--require',
      './setup.cjs',
      '--enable-source-maps',
      '-C',
      'custom',
      '--max-old-space-size=4096',
    ]);
    assert.deepEqual(childExecArgv([], ['--import=tsx', '--watch']), ['--import=tsx']);
    // the CPU profiler's options, so each runtime writes its own profile (not a fixed file name they would share)
    assert.deepEqual(
      childExecArgv([], ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof', '--cpu-prof-name=one.cpuprofile']),
      ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof'],
    );
  });
});
