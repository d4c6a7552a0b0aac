import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDeployment, portsNeeded } from './deployment-plan.js';

const base = { cwd: '/app', shutdownGraceMs: 1000, uses: '/app/exec.ts#E' };

describe('planDeployment', () => {
  it('runs a single worker without a head, on the given port', () => {
    const options = { uses: 'E', port: 5000 };
    assert.equal(portsNeeded(options), 1);
    const plan = planDeployment({ ...base, name: 'enc', options, ports: [5000] });
    assert.equal(plan.runtimes.length, 1);
    assert.equal(plan.entry.name, 'enc/rep-0');
    assert.equal(plan.entry.address, '127.0.0.1:5000');
    assert.deepEqual(plan.entry.config.runtimeArgs, { name: 'enc/rep-0', replicas: 1, shards: 1, shardId: 0 });
  });

  it('puts a head in front of shards × replicas and uses_before/after, naming every runtime', () => {
    const options = {
      uses: 'E',
      shards: 2,
      replicas: 2,
      polling: { '/search': 'ALL' as const },
      usesBefore: 'B',
      usesAfter: 'A',
      usesWith: { k: 1 },
      workspace: '/ws',
      retries: 1,
      timeoutSend: 500,
      host: '0.0.0.0',
    };
    assert.equal(portsNeeded(options), 7);
    const plan = planDeployment({
      ...base,
      name: 'idx',
      options,
      usesBefore: 'B',
      usesAfter: 'A',
      ports: [9000, 9001, 9002, 9003, 9004, 9005, 9006],
    });
    assert.deepEqual(
      plan.runtimes.map((r) => [r.role, r.name, r.port]),
      [
        ['worker', 'idx/shard-0/rep-0', 9001],
        ['worker', 'idx/shard-0/rep-1', 9002],
        ['worker', 'idx/shard-1/rep-0', 9003],
        ['worker', 'idx/shard-1/rep-1', 9004],
        ['uses-before', 'idx/uses-before', 9005],
        ['uses-after', 'idx/uses-after', 9006],
        ['head', 'idx/head', 9000],
      ],
    );
    assert.equal(plan.entry.name, 'idx/head');
    assert.equal(plan.entry.address, '127.0.0.1:9000'); // a wildcard host is dialled on loopback
    assert.equal(plan.runtimes[2]?.label, "executor 'idx' (shard 1, replica 0)");
    const worker = plan.runtimes[3]?.config as Record<string, unknown>;
    assert.deepEqual(worker.runtimeArgs, {
      name: 'idx/shard-1/rep-1',
      replicas: 2,
      shards: 2,
      shardId: 1,
      workspace: '/ws',
    });
    assert.deepEqual([worker.host, worker.port, worker.usesWith, worker.uses], ['0.0.0.0', 9004, { k: 1 }, base.uses]);
    const head = plan.entry.config as Record<string, unknown>;
    assert.deepEqual(head.shards, [
      {
        name: 'idx/shard-0',
        replicas: [
          { address: '127.0.0.1:9001', name: 'idx/shard-0/rep-0' },
          { address: '127.0.0.1:9002', name: 'idx/shard-0/rep-1' },
        ],
      },
      {
        name: 'idx/shard-1',
        replicas: [
          { address: '127.0.0.1:9003', name: 'idx/shard-1/rep-0' },
          { address: '127.0.0.1:9004', name: 'idx/shard-1/rep-1' },
        ],
      },
    ]);
    assert.deepEqual(head.usesBefore, {
      name: 'idx/uses-before',
      replicas: [{ address: '127.0.0.1:9005', name: 'idx/uses-before' }],
    });
    assert.deepEqual([head.polling, head.retries, head.timeoutSend], [{ '/search': 'ALL' }, 1, 500]);
    assert.equal(worker.nativePort, undefined, 'without native ports each runtime picks its own');
  });

  it('gives every runtime the native port at the index of its gRPC port', () => {
    const options = { uses: 'E', replicas: 2, usesAfter: 'A' };
    const plan = planDeployment({
      ...base,
      name: 'n',
      options,
      usesAfter: 'A',
      ports: [9000, 9001, 9002, 9003],
      nativePorts: [7000, 7001, 7002, 7003],
    });
    assert.deepEqual(
      plan.runtimes.map((r) => [r.name, r.config.port, r.config.nativePort]),
      [
        ['n/rep-0', 9001, 7001],
        ['n/rep-1', 9002, 7002],
        ['n/uses-after', 9003, 7003],
        ['n/head', 9000, 7000],
      ],
    );
  });
});
