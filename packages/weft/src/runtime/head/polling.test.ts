import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateHeadConfig } from '../../config/index.js';
import { decodeHeadConfig } from './head-config.js';
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

describe('head configuration', () => {
  it('is validated by the Deployment and decoded by the head', () => {
    const json = JSON.stringify({
      name: 'd/head',
      deployment: 'd',
      port: 0,
      shards: [{ name: 'd', replicas: [{ address: 'h:1' }] }],
    });
    assert.equal(decodeHeadConfig(json).shards[0]?.replicas[0]?.address, 'h:1');
    assert.equal(validateHeadConfig(JSON.parse(json)).name, 'd/head');
    assert.throws(() => decodeHeadConfig(undefined), /WEFT_HEAD_CONFIG is not set/);
    assert.throws(() => decodeHeadConfig('{'), /not valid JSON/);
    assert.throws(() => decodeHeadConfig('{"name":"x"}'), /name, port and shards are required/);
    assert.throws(() => validateHeadConfig({ name: 'd/head', deployment: 'd', port: 0, shards: [] }), /shards: /);
    assert.throws(
      () =>
        validateHeadConfig({
          name: 'x',
          deployment: 'd',
          port: 0,
          shards: [{ name: 'd', replicas: [{ address: 'h:1' }] }],
          polling: 'some',
        }),
      /polling: /,
    );
  });
});
