// weft/testing: one-call Flow and Deployment, fixture documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flow } from '../orchestrate/index.js';
import { embeddedDocs, isAlive, startDeployment, startFlow, textDocs } from './index.js';

describe('fixture documents', () => {
  it('makes text documents with ids', () => {
    assert.deepEqual(
      textDocs(['a', 'b'])
        .toArray()
        .map((d) => [d.id, d.text]),
      [
        ['0', 'a'],
        ['1', 'b'],
      ],
    );
    assert.equal(textDocs(3).at(2)?.text, 'doc 2');
  });

  it('makes the same seeded embeddings every time', () => {
    const a = embeddedDocs(2, 4, 7);
    const b = embeddedDocs(2, 4, 7);
    assert.equal(a.at(1)?.embedding?.shape[0], 4);
    assert.deepEqual(a.at(1)?.embedding?.toList(), b.at(1)?.embedding?.toList());
    assert.notDeepEqual(embeddedDocs(1, 4, 8).at(0)?.embedding?.toList(), a.at(0)?.embedding?.toList());
  });
});

describe('startFlow / startDeployment', () => {
  it('starts a Flow in one call and stops every process with the handle', async () => {
    let pids: number[];
    {
      await using f = await startFlow(new Flow().add({ name: 'pass' }));
      const docs = await f.post('/', textDocs(['x']));
      assert.equal(docs.at(0)?.text, 'x');
      assert.equal(f.endpoints[0]?.protocol, 'grpc');
      pids = f.flow.pids();
      assert.ok(pids.length >= 2);
    }
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('starts a Deployment in one call', async () => {
    const d = await startDeployment({ uses: 'BaseExecutor', name: 'pass' });
    try {
      const docs = await d.post('/', textDocs(['y']));
      assert.equal(docs.at(0)?.text, 'y');
      assert.match(d.address, /:\d+$/);
    } finally {
      await d.close();
    }
  });
});
