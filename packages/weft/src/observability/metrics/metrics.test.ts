import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { DocumentArray } from '../../document/index.js';
import { BadArgumentError, UnavailableError } from '../../errors/index.js';
import { Executor, ExecutorRunner, requests } from '../../executor/index.js';
import { CHANNELS, channels, type MonitorObserved } from '../events.js';
import { METRICS, metricsHandle, monitor, NOOP_METRICS, startMonitoring } from './index.js';

class Timed extends Executor {
  @requests({ on: '/work' })
  work(): void {
    this.metrics.counter({ name: 'timed_work_total', help: 'Work done' }).inc();
    this.helper();
  }

  @monitor({ name: 'timed_helper_seconds', documentation: 'Helper time' })
  helper(): number {
    return 42;
  }

  @monitor({ name: 'timed_async_seconds' })
  async later(): Promise<string> {
    return 'done';
  }
}

describe('@monitor', () => {
  it('publishes the duration of sync and async methods, and leaves results as they are', async () => {
    const seen: MonitorObserved[] = [];
    const fn = (m: unknown) => seen.push(m as MonitorObserved);
    subscribe(CHANNELS.monitorObserved, fn);
    try {
      const e = new Timed({ metas: { name: 'timed' } });
      assert.equal(e.helper(), 42);
      assert.equal(await e.later(), 'done');
    } finally {
      unsubscribe(CHANNELS.monitorObserved, fn);
    }
    assert.deepEqual(
      seen.map((s) => [s.name, s.executor]),
      [
        ['timed_helper_seconds', 'timed'],
        ['timed_async_seconds', 'timed'],
      ],
    );
    assert.ok(seen.every((s) => s.durationMs >= 0));
  });

  it('refuses a name Prometheus would not accept', () => {
    assert.throws(() => monitor({ name: 'not a name' }), BadArgumentError);
  });
});

describe('startMonitoring', () => {
  it('serves the metrics of executor calls, failures by code and custom metrics at /metrics', async () => {
    assert.equal(metricsHandle(), NOOP_METRICS);
    const m = await startMonitoring({ kind: 'worker', name: 'timed/rep-0', host: '127.0.0.1', port: 0 });
    try {
      assert.equal(metricsHandle().enabled, true);
      const runner = new ExecutorRunner(new Timed({ metas: { name: 'timed' } }), 'timed/rep-0');
      await runner.invoke({ endpoint: '/work', docs: new DocumentArray([{ text: 'a' }, { text: 'b' }]) });
      channels.gatewayRequestError.publish({
        gateway: 'gateway',
        protocol: 'grpc',
        endpoint: '/work',
        request: undefined,
        startedAt: 0,
        streaming: false,
        durationMs: 3,
        error: new UnavailableError('down'),
      });
      const res = await fetch(`http://127.0.0.1:${m.port}/metrics`);
      assert.equal(res.status, 200);
      const text = await res.text();
      const labels = 'runtime_name="timed/rep-0",executor="timed",executor_endpoint="/work"';
      assert.match(text, new RegExp(`${METRICS.documentProcessed.name}\\{${labels}\\} 2`));
      assert.match(text, new RegExp(`${METRICS.processSeconds.name}_count\\{${labels}\\} 1`));
      assert.match(text, /timed_work_total 1/);
      assert.match(text, /timed_helper_seconds_count\{runtime_name="timed\/rep-0",executor="timed"\} 1/);
      assert.match(
        text,
        /jina_failed_requests_total\{runtime_name="gateway",executor="",executor_endpoint="\/work",error_code="WEFT_UNAVAILABLE"\} 1/,
      );
      assert.match(text, /process_cpu_seconds_total\{runtime_name="timed\/rep-0"\}/);
      assert.equal((await fetch(`http://127.0.0.1:${m.port}/other`)).status, 404);
    } finally {
      await m.stop();
    }
    assert.equal(metricsHandle(), NOOP_METRICS);
  });

  it('gives executor code instruments that do nothing when the runtime is not monitored', () => {
    const c = NOOP_METRICS.counter({ name: 'x_total', help: 'x' });
    c.inc();
    NOOP_METRICS.histogram({ name: 'x_seconds', help: 'x' }).startTimer()();
    assert.equal(NOOP_METRICS.enabled, false);
  });
});
