import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from './sse-client.js';

describe('SseParser', () => {
  it('reads named events with CRLF, LF or CR line ends, and events without data', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('event: update\r\ndata: {"text":"a"}\r\n\r\nevent: update\ndata: {"text":"b"}\n\n'), [
      { event: 'update', data: '{"text":"a"}' },
      { event: 'update', data: '{"text":"b"}' },
    ]);
    // a CR at the very end of a chunk waits for the next one (it may be half of a CRLF)
    assert.deepEqual(p.push('event: end\r\r'), []);
    assert.deepEqual(p.push(': next'), [{ event: 'end', data: '' }]);
  });

  it('keeps partial events (and a CRLF split across chunks) until they are complete', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('event: upd'), []);
    assert.deepEqual(p.push('ate\r'), []);
    assert.deepEqual(p.push('\ndata: 1\r\n\r'), []);
    assert.deepEqual(p.push('\n'), [{ event: 'update', data: '1' }]);
  });

  it('skips comments, joins data lines, names unnamed events message', () => {
    const p = new SseParser();
    assert.deepEqual(p.push(': ping - now\r\n\r\ndata: line 1\ndata:line 2\nid: 7\n\n'), [
      { event: 'message', data: 'line 1\nline 2' },
    ]);
  });
});
