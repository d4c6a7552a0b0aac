import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { remoteParent, traceparentOf } from './trace-context.js';

const w3c = new W3CTraceContextPropagator();
const getter = {
  get: (c: Record<string, string>, k: string) => c[k],
  keys: (c: Record<string, string>) => Object.keys(c),
};
/** What OpenTelemetry's own W3C propagator reads from `headers` (the reference). */
const reference = (headers: Record<string, string>) => trace.getSpanContext(w3c.extract(ROOT_CONTEXT, headers, getter));

describe('W3C trace context', () => {
  const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('reads a traceparent (and tracestate) as the W3C propagator does', () => {
    for (const headers of <Record<string, string>[]>[
      { traceparent: valid },
      { traceparent: valid.replace(/01$/, '00') },
      { traceparent: valid, tracestate: 'vendor=abc,other=1' },
    ]) {
      const ours = remoteParent(headers);
      const theirs = reference(headers);
      assert.equal(ours?.traceId, theirs?.traceId);
      assert.equal(ours?.spanId, theirs?.spanId);
      assert.equal(ours?.traceFlags, theirs?.traceFlags);
      assert.equal(ours?.isRemote, true);
      assert.equal(ours?.traceState?.serialize(), theirs?.traceState?.serialize());
    }
  });

  it('ignores what is not a valid traceparent', () => {
    for (const traceparent of [
      '',
      'garbage',
      valid.toUpperCase(),
      valid.replace('0af7', 'zzzz'),
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`,
      `${valid}-extra`,
      valid.replace(/^00/, 'ff'),
      valid.replace(/-01$/, '-xy'),
      valid.replace(/-01$/, '-0g'),
    ]) {
      assert.equal(remoteParent({ traceparent }), undefined, traceparent);
      assert.equal(reference({ traceparent }), undefined, traceparent);
    }
    assert.equal(remoteParent({}), undefined);
  });

  it('accepts a later version with more fields, as the W3C specification asks', () => {
    const later = `01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future`;
    assert.equal(remoteParent({ traceparent: later })?.spanId, 'b7ad6b7169203331');
    assert.equal(reference({ traceparent: later })?.spanId, 'b7ad6b7169203331');
  });

  it('writes the traceparent the propagator would inject', () => {
    for (const traceFlags of [0, 1]) {
      const sc = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags };
      const carrier: Record<string, string> = {};
      w3c.inject(trace.setSpanContext(ROOT_CONTEXT, sc), carrier, {
        set: (c, k, v) => {
          c[k] = v;
        },
      });
      assert.equal(traceparentOf(sc), carrier.traceparent);
      assert.deepEqual(remoteParent({ traceparent: traceparentOf(sc) }), { ...sc, isRemote: true });
    }
  });
});
