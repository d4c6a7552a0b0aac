import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlowGraph, danglingExecutors } from './flow-graph.js';

describe('buildFlowGraph', () => {
  it('chains executors by default', () => {
    assert.deepEqual(buildFlowGraph([{ name: 'a' }, { name: 'b' }]), {
      'start-gateway': ['a'],
      a: ['b'],
      b: ['end-gateway'],
    });
    assert.deepEqual(buildFlowGraph([]), { 'start-gateway': ['end-gateway'] });
  });

  it('branches from the gateway and joins with needs', () => {
    const g = buildFlowGraph([
      { name: 'enc' },
      { name: 'text', needs: 'gateway' },
      { name: 'join', needs: ['enc', 'text'] },
    ]);
    assert.deepEqual(g, { 'start-gateway': ['enc', 'text'], enc: ['join'], text: ['join'], join: ['end-gateway'] });
  });

  it('leaves floating executors unconnected to the end and skips them as default parent', () => {
    const g = buildFlowGraph([{ name: 'a' }, { name: 'log', floating: true }, { name: 'b' }]);
    assert.deepEqual(g, { 'start-gateway': ['a'], a: ['log', 'b'], log: [], b: ['end-gateway'] });
  });

  it('lists dangling ends for needsAll', () => {
    assert.deepEqual(
      danglingExecutors([{ name: 'a' }, { name: 'b', needs: 'gateway' }, { name: 'f', floating: true }]),
      ['a', 'b'],
    );
  });

  it('rejects unknown needs, duplicates, reserved names and cycles, naming the executor', () => {
    assert.throws(
      () => buildFlowGraph([{ name: 'a', needs: 'ghost' }]),
      (e: Error & { code: string }) => {
        return e.code === 'WEFT_CONFIG' && /'a' needs 'ghost'/.test(e.message);
      },
    );
    assert.throws(() => buildFlowGraph([{ name: 'a' }, { name: 'a' }]), /two executors are named 'a'/);
    assert.throws(() => buildFlowGraph([{ name: 'gateway' }]), /reserved/);
    assert.throws(() => buildFlowGraph([{ name: 'a', needs: 'a' }]), /needs itself/);
    assert.throws(
      () =>
        buildFlowGraph([
          { name: 'a', needs: ['gateway', 'b'] },
          { name: 'b', needs: 'a' },
        ]),
      /cycle through needs: .*a → b → a|b → a → b/,
    );
  });
});
