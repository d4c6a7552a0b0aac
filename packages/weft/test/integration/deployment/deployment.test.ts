import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DocumentArray, type EndpointArgs, Executor, requests } from '../../../src/index.js';
import { Deployment } from '../../../src/orchestrate/index.js';
import { DataRequest } from '../../../src/request/index.js';
import { alive, fileAppears, killAll, recordPids } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const uses = (name: string) => `./fixtures/executors.ts#${name}`;
const cwd = import.meta.dirname;
const resultKeys = (res: { parameters: Record<string, unknown> }) => Object.keys(res.parameters.__results__ as object);

/** An executor defined in (and exported by) this test module: worker processes import this file to get it. */
export class Doubler extends Executor {
  @requests()
  double({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = `${d.text ?? ''}${d.text ?? ''}`;
  }
}

/** Not exported: worker processes capture it when this file's suite below constructs its Deployment. */
class Private extends Executor {
  @requests()
  mark({ docs }: EndpointArgs): { pid: number } {
    for (const d of docs) d.tags.private = true;
    return { pid: process.pid };
  }
}

describe('Deployment with replicas', () => {
  const dep = new Deployment({ uses: uses('WhoAmI'), cwd, name: 'who', replicas: 3 });
  const pids = recordPids(dep);
  before(() => dep.start());
  after(async () => {
    await dep.close();
    assert.deepEqual(alive(pids), [], 'no runtime process outlives close()');
    killAll(pids);
  });

  it('is reached on one address and balances requests round robin over the replicas', async () => {
    assert.equal(dep.runtimes.length, 4); // three workers and the head
    assert.equal(dep.address, dep.runtimes.find((r) => r.role === 'head')?.address);
    const served: string[] = [];
    for (let i = 0; i < 6; i++) served.push(...resultKeys(await dep.request('/who', [{ text: 'x' }])));
    assert.deepEqual(served, ['who/rep-0', 'who/rep-1', 'who/rep-2', 'who/rep-0', 'who/rep-1', 'who/rep-2']);
  });

  it('throws an executor’s error with its own class and message', async () => {
    await assert.rejects(dep.post('/fail', [{ text: 'x' }]), (err: Error & { code: string; executor: string }) => {
      assert.equal(err.name, 'TypeError');
      assert.equal(err.code, 'WEFT_EXECUTOR');
      assert.match(err.message, /refused by who\/rep-\d/);
      return true;
    });
  });

  it('retries a request in flight on a killed replica elsewhere, keeps serving, restarts it on the same address', async () => {
    const victim = dep.runtimes.find((r) => r.name === 'who/rep-0');
    const oldPid = victim?.pid as number;
    const marker = join(mkdtempSync(join(tmpdir(), 'weft-hold-')), 'held');
    const held = [1, 2, 3].map(() => dep.request('/hold', [], { parameters: { holdOn: 'who/rep-0', marker } }));
    await fileAppears(marker); // one of them is now in flight on who/rep-0, which never answers it
    const restarted = new Promise<number>((resolve) =>
      dep.on('restarted', (e: { runtime: string; pid: number }) => e.runtime === 'who/rep-0' && resolve(e.pid)),
    );
    process.kill(oldPid, 'SIGKILL');
    const answers = await Promise.all(held);
    assert.deepEqual(
      answers.flatMap(resultKeys).filter((k) => k === 'who/rep-0'),
      [],
    );

    let restartedPid: number | undefined;
    void restarted.then((pid) => (restartedPid = pid));
    let servedMeanwhile = 0;
    while (restartedPid === undefined) {
      assert.deepEqual(resultKeys(await dep.request('/who', [{ text: 'x' }])).length, 1);
      servedMeanwhile++;
    }
    assert.ok(servedMeanwhile > 0);
    assert.notEqual(restartedPid, oldPid);
    assert.equal(alive([oldPid]).length, 0);
    const back = dep.runtimes.find((r) => r.name === 'who/rep-0');
    assert.equal(back?.address, victim?.address);
    assert.equal(back?.pid, restartedPid);
    for (;;) {
      const res = await dep.request('/who', [{ text: 'x' }]);
      const result = (res.parameters.__results__ as Record<string, { pid: number }>)['who/rep-0'];
      if (result) {
        assert.equal(result.pid, restartedPid);
        break;
      }
    }
  });
});

describe('Deployment with shards', () => {
  const dep = new Deployment({
    uses: uses('ShardMatcher'),
    cwd,
    name: 'idx',
    shards: 3,
    polling: { '/search': 'ALL', '*': 'ANY' },
  });
  const pids = recordPids(dep);
  before(() => dep.start());
  after(async () => {
    await dep.close();
    assert.deepEqual(alive(pids), []);
    killAll(pids);
  });

  it('polling ANY sends each request to exactly one shard', async () => {
    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const keys = resultKeys(await dep.request('/index', [{ id: 'a' }]));
      assert.equal(keys.length, 1);
      served.push(...keys);
    }
    assert.deepEqual(served.sort(), [
      'idx/shard-0/rep-0',
      'idx/shard-0/rep-0',
      'idx/shard-1/rep-0',
      'idx/shard-1/rep-0',
      'idx/shard-2/rep-0',
      'idx/shard-2/rep-0',
    ]);
  });

  it('polling ALL asks every shard and reduces their answers by document id', async () => {
    let trailers: Record<string, unknown> = {};
    const req = new DataRequest({
      header: { execEndpoint: '/search' },
      docs: new DocumentArray([{ id: 'a' }, { id: 'b' }]),
    });
    const res = await dep.client.processSingleData(req, { onTrailers: (md) => (trailers = md.getMap()) });
    assert.deepEqual(
      [...res.docs].map((d) => [d.id, [...d.matches].map((m) => m.id), d.tags.fromShard1]),
      [
        ['a', ['m-0', 'm-1', 'm-2'], true],
        ['b', ['m-0', 'm-1', 'm-2'], true],
      ],
    );
    assert.deepEqual(resultKeys(res).sort(), ['idx/shard-0/rep-0', 'idx/shard-1/rep-0', 'idx/shard-2/rep-0']);
    assert.deepEqual([trailers.total_shards, trailers.failed_shards], ['3', '0']);
  });
});

describe('Deployment with uses_before and uses_after', () => {
  it('runs uses_before ahead of the shards and lets uses_after merge their answers instead of the reduce', async () => {
    const dep = new Deployment({
      uses: uses('ShardMatcher'),
      usesBefore: uses('Stamp'),
      usesAfter: uses('MatchMerger'),
      cwd,
      name: 'merged',
      shards: 2,
      polling: 'ALL',
    });
    const pids = recordPids(dep);
    try {
      await dep.start();
      assert.deepEqual(
        dep.runtimes.map((r) => r.name),
        ['merged/shard-0/rep-0', 'merged/shard-1/rep-0', 'merged/uses-before', 'merged/uses-after', 'merged/head'],
      );
      const docs = await dep.post('/search', [{ id: 'q1' }, { id: 'q2' }]);
      assert.deepEqual(
        [...docs].map((d) => [d.id, d.text, d.tags.parts, d.tags.stamped]),
        [
          ['q1', 'merged m-0,m-1', 2, true],
          ['q2', 'merged m-0,m-1', 2, true],
        ],
      );
    } finally {
      await dep.close();
      assert.deepEqual(alive(pids), []);
      killAll(pids);
    }
  });
});

describe('Deployment start-up failures', () => {
  it('reports a constructor’s exception with the executor’s message and stack, leaving no process behind', async () => {
    const dep = new Deployment({ uses: uses('Broken'), cwd, name: 'broken', replicas: 2 });
    const pids = recordPids(dep);
    await assert.rejects(dep.start(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_STARTUP');
      assert.match(
        err.message,
        /executor 'broken' \(shard 0, replica [01]\) failed to start: RangeError: model file weights\.bin is corrupt/,
      );
      assert.match(err.message, /at new Broken \(.*executors\.ts:\d+:\d+\)/);
      return true;
    });
    assert.ok(pids.length >= 1);
    assert.deepEqual(alive(pids), []);
    await dep.close();
  });

  it('gives up after timeoutReady, naming the process it waited for, leaving no process behind', async () => {
    const dep = new Deployment({ uses: './fixtures/hanging.ts#Hang', cwd, name: 'hang', timeoutReady: 2000 });
    const pids = recordPids(dep);
    await assert.rejects(dep.start(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_STARTUP');
      assert.match(
        err.message,
        /timed out after 2000 ms waiting for executor 'hang' \(shard 0, replica 0\) \(pid \d+, 127\.0\.0\.1:\d+\)/,
      );
      return true;
    });
    assert.deepEqual(alive(pids), []);
  });
});

describe('Deployment.load', () => {
  it('starts a deployment from YAML with environment substitution and a uses path relative to the file', async () => {
    const dep = Deployment.load(join(fixtures, 'greeter.yml'), {
      env: { ...process.env, GREETER_REPLICAS: '2', GREETING: 'howdy' },
    });
    const pids = recordPids(dep);
    try {
      await dep.start();
      assert.equal(dep.runtimes.filter((r) => r.role === 'worker').length, 2);
      const docs = await dep.post('/greet', [{ text: 'ann' }, { text: 'bob' }]);
      assert.deepEqual(
        [...docs].map((d) => d.text),
        ['howdy, ann (greeter)', 'howdy, bob (greeter)'],
      );
    } finally {
      await dep.close();
      assert.deepEqual(alive(pids), []);
      killAll(pids);
    }
  });
});

describe('uses as a class defined in this test module', () => {
  // constructed while the suite is declared: in a worker process importing this file, this is where the
  // unexported class is captured (node:test is inert there, so no test of this file runs in a child)
  const privateDep = new Deployment({ uses: Private, name: 'private' });
  const privatePids = recordPids(privateDep);
  after(async () => {
    await privateDep.close();
    assert.deepEqual(alive(privatePids), []);
    killAll(privatePids);
  });

  it('loads an exported class in the worker processes', async () => {
    const dep = new Deployment({ uses: Doubler, name: 'doubler', replicas: 2 });
    const pids = recordPids(dep);
    try {
      await dep.start();
      const docs = await dep.post('/', [{ text: 'ab' }]);
      assert.equal(docs.at(0)?.text, 'abab');
    } finally {
      await dep.close();
      assert.deepEqual(alive(pids), []);
      killAll(pids);
    }
  });

  it('captures an unexported class where this module constructs its Deployment', async () => {
    await privateDep.start();
    const res = await privateDep.request('/', [{ text: 'x' }]);
    assert.equal(res.docs.at(0)?.tags.private, true);
    const { pid } = (res.parameters.__results__ as Record<string, { pid: number }>)['private/rep-0'] as { pid: number };
    assert.notEqual(pid, process.pid);
    assert.ok(privatePids.includes(pid));
  });
});
