import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHeadConfig } from './head-config.js';
import { PollingTable } from './polling.js';

describe('PollingTable', () => {
  it('resolves one mode, per-endpoint modes with a * fallback, and defaults to ANY', () => {
    assert.equal(new PollingTable().modeOf('/x'), 'ANY');
    assert.equal(new PollingTable('all').modeOf('/x'), 'ALL');
    const t = new PollingTable({ '/search': 'ALL', '*': 'any' });
    assert.equal(t.modeOf('/search'), 'ALL');
    assert.equal(t.modeOf('/index'), 'ANY');
    assert.equal(t.modeOf(undefined), 'ANY');
    assert.equal(new PollingTable({ '/search': 'ALL' }).modeOf('/other'), 'ANY');
    assert.equal(new PollingTable({ '*': 'ALL', '/index': 'ANY' }).modeOf('/other'), 'ALL');
    assert.deepEqual(t.toJSON(), { '/search': 'ALL', '*': 'ANY' });
  });

  it('rejects anything but ANY and ALL, naming where', () => {
    assert.throws(() => new PollingTable('SOME' as never), {
      code: 'WEFT_CONFIG',
      message: /polling must be 'ANY' or 'ALL', got "SOME"/,
    });
    assert.throws(() => new PollingTable({ '/a': 'X' } as never), /polling\['\/a'\] must be 'ANY' or 'ALL'/);
  });
});

describe('parseHeadConfig', () => {
  it('validates the JSON a Deployment passes', () => {
    const c = parseHeadConfig(
      JSON.stringify({
        name: 'd/head',
        deployment: 'd',
        port: 0,
        shards: [{ name: 'd', replicas: [{ address: 'h:1' }] }],
      }),
    );
    assert.equal(c.shards[0]?.replicas[0]?.address, 'h:1');
    assert.throws(() => parseHeadConfig(undefined), /WEFT_HEAD_CONFIG is not set/);
    assert.throws(() => parseHeadConfig('{'), /not valid JSON/);
    assert.throws(() => parseHeadConfig({ name: 'd/head', deployment: 'd', port: 0, shards: [] }), /shards: /);
    assert.throws(
      () =>
        parseHeadConfig({
          name: 'x',
          deployment: 'd',
          port: 0,
          shards: [{ name: 'd', replicas: [{ address: 'h:1' }] }],
          polling: 'some',
        }),
      /polling: must be 'ANY' or 'ALL'/,
    );
  });
});
