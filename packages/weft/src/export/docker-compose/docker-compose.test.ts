import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { GOLDEN_FLOW, GOLDEN_OPTIONS, GOLDEN_OUT } from '../../../test/golden/export/test-flow.js';
import { composeSchemaErrors } from '../../../test/golden/export/validate.js';
import { assertGolden } from '../../../test/golden/golden.js';
import { exportFlow } from '../index.js';

type Obj = Record<string, any>;

async function exported(): Promise<{ text: string; file: Obj }> {
  const target = join(mkdtempSync(join(tmpdir(), 'weft-compose-')), 'docker-compose.yml');
  await exportFlow('docker-compose', GOLDEN_FLOW, target, GOLDEN_OPTIONS);
  const text = readFileSync(target, 'utf8');
  return { text, file: parse(text) as Obj };
}

describe('weft export docker-compose', () => {
  it('writes the golden compose file, valid against the compose-spec JSON Schema', async () => {
    const { text, file } = await exported();
    assertGolden(join(GOLDEN_OUT, 'docker-compose.yml'), text);
    assert.deepEqual(composeSchemaErrors(file), []);
  });

  it('rejects a broken compose file (the check can fail)', () => {
    assert.notDeepEqual(
      composeSchemaErrors({ services: { a: { ports: [{ bogus: 1 }], healthcheck: { test: 3 } } } }),
      [],
    );
  });

  it('runs a service per replica, shard and head, healthchecked with weft ping, the gateway last', async () => {
    const { file } = await exported();
    const s = file.services as Obj;
    assert.deepEqual(Object.keys(s), [
      'encoder-rep-0',
      'encoder-rep-1',
      'indexer-shard-0-rep-0',
      'indexer-shard-1-rep-0',
      'indexer-uses-after',
      'indexer-head',
      'tagger-rep-0',
      'ranker-rep-0',
      'audit-rep-0',
      'gateway',
    ]);
    assert.deepEqual(s['encoder-rep-0'].healthcheck.test.slice(0, 5), [
      'CMD',
      'weft',
      'ping',
      'executor',
      '127.0.0.1:8081',
    ]);
    // the stateful indexer: one named volume, each container in its own folder of it
    assert.deepEqual(file.volumes, { 'indexer-workspace': {} });
    assert.deepEqual(s['indexer-shard-1-rep-0'].volumes, ['indexer-workspace:/weft/workspace']);
    assert.ok(s['indexer-shard-1-rep-0'].command.includes('/weft/workspace/indexer-shard-1-rep-0'));
    const head = s['indexer-head'].command as string[];
    assert.deepEqual(JSON.parse(head[head.indexOf('--connection-list') + 1] as string), {
      0: ['indexer-shard-0-rep-0:8081'],
      1: ['indexer-shard-1-rep-0:8081'],
    });
    assert.deepEqual(Object.keys(s['indexer-head'].depends_on), [
      'indexer-shard-0-rep-0',
      'indexer-shard-1-rep-0',
      'indexer-uses-after',
    ]);
    assert.equal(head[head.indexOf('--uses-after-address') + 1], 'indexer-uses-after:8081');
    // the gateway: published ports, every replica's address (the gateway balances them), waits for health
    const gw = s.gateway;
    assert.deepEqual(gw.ports, ['8080:8080', '50051:8081']);
    const addresses = JSON.parse(gw.command[gw.command.indexOf('--deployments-addresses') + 1]);
    assert.deepEqual(addresses.encoder, ['grpc://encoder-rep-0:8081', 'grpc://encoder-rep-1:8081']);
    assert.deepEqual(addresses.indexer, ['grpc://indexer-head:8081']);
    assert.deepEqual(addresses.legacy, ['legacy.example.com:50051']);
    for (const dep of Object.values(gw.depends_on as Obj)) assert.deepEqual(dep, { condition: 'service_healthy' });
    assert.ok('indexer-head' in gw.depends_on && !('indexer-shard-0-rep-0' in gw.depends_on));
    // in compose the executor YAML travels inline in --uses; a docker:// image keeps its own config.yml
    assert.match(s['tagger-rep-0'].command[2], /^jtype: \/app\/executors\/tagger\.ts#Tagger\n/);
    assert.equal(s['ranker-rep-0'].image, 'registry.example.com/ranker:1.2');
    assert.deepEqual(s['ranker-rep-0'].command.slice(0, 3), ['executor', '--uses', 'config.yml']);
    assert.deepEqual(s['encoder-rep-0'].deploy.resources.reservations.devices, [
      { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
    ]);
  });
});
