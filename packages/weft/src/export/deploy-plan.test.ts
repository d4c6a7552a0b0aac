import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flow } from '../index.js';
import { dnsLabel, planExport, resolveExportOptions } from './index.js';

async function plan(flow: Flow) {
  const spec = { options: flow.options, executors: flow.executors, graph: flow.graph, cwd: process.cwd() };
  return planExport(spec, resolveExportOptions());
}

describe('deployment plan', () => {
  it('decides statefulness: stateful: true, an own workspace, or a stateful built-in; stateful: false overrides', async () => {
    const p = await plan(
      new Flow({ workspace: '/data' })
        .add({ name: 'plain', uses: 'BaseExecutor' })
        .add({ name: 'declared', uses: 'BaseExecutor', stateful: true })
        .add({ name: 'own-workspace', uses: 'BaseExecutor', workspace: './ws' })
        .add({ name: 'indexer', uses: 'VectorIndexer' })
        .add({ name: 'cache', uses: 'VectorIndexer', stateful: false }),
    );
    assert.deepEqual(
      p.executors.map((e) => [e.name, e.stateful]),
      [
        ['plain', false],
        ['declared', true],
        ['own-workspace', true],
        ['indexer', true],
        ['cache', false],
      ],
    );
  });

  it('names objects with DNS labels and refuses two executors that would share one', async () => {
    assert.equal(dnsLabel('Image_Encoder.v2'), 'image-encoder-v2');
    assert.equal(dnsLabel('2fast'), 'fast');
    await assert.rejects(
      plan(new Flow().add({ name: 'my_exec', uses: 'BaseExecutor' }).add({ name: 'my-exec', uses: 'BaseExecutor' })),
      /executors 'my_exec' and 'my-exec' both become 'my-exec'/,
    );
  });

  it('heads only where shards or uses_before/uses_after need one; replicas alone are spec.replicas', async () => {
    const p = await plan(
      new Flow()
        .add({ name: 'r', uses: 'BaseExecutor', replicas: 3 })
        .add({ name: 's', uses: 'BaseExecutor', shards: 2 })
        .add({ name: 'a', uses: 'BaseExecutor', usesAfter: 'BaseExecutor' }),
    );
    assert.deepEqual(
      p.executors.map((e) => [e.name, e.head, e.replicas, e.shards]),
      [
        ['r', false, 3, 1],
        ['s', true, 1, 2],
        ['a', true, 1, 1],
      ],
    );
  });
});
