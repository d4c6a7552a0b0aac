import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHost, formatHostPort, parseHostPort } from './host-port.js';

describe('host:port', () => {
  it('brackets IPv6 hosts once and leaves names and IPv4 alone', () => {
    assert.equal(formatHost('::1'), '[::1]');
    assert.equal(formatHost('[::1]'), '[::1]');
    assert.equal(formatHost('127.0.0.1'), '127.0.0.1');
    assert.equal(formatHost('encoder-0'), 'encoder-0');
    assert.equal(formatHostPort('::', 50001), '[::]:50001');
    assert.equal(formatHostPort('[fd00::2]', 7), '[fd00::2]:7');
    assert.equal(formatHostPort('0.0.0.0', 8080), '0.0.0.0:8080');
  });

  it('parses what it formats, and nothing that is not host:port', () => {
    for (const [host, port] of [
      ['::1', 50001],
      ['127.0.0.1', 5],
      ['encoder-0', 65535],
    ] as const) {
      assert.deepEqual(parseHostPort(formatHostPort(host, port)), { host, port });
    }
    assert.equal(parseHostPort('no-port'), undefined);
    assert.equal(parseHostPort('h:70000'), undefined);
    assert.equal(parseHostPort('h:0'), undefined);
    assert.equal(parseHostPort('::1:5'), undefined);
  });
});
