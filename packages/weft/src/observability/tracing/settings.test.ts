import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observabilityEnv } from '../runtime-env.js';
import { telemetryEnv, telemetryFromEnv } from './settings.js';

describe('telemetry settings', () => {
  it('are off, towards 127.0.0.1:4318, unless the environment says otherwise', () => {
    assert.deepEqual(telemetryFromEnv({}), {
      tracing: false,
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      metrics: false,
      metricsUrl: 'http://127.0.0.1:4318/v1/metrics',
    });
  });

  it('travel to a runtime as environment variables and come back the same', () => {
    const env = telemetryEnv({
      tracing: true,
      tracesExporterHost: 'collector',
      tracesExporterPort: 4319,
      metrics: false,
    });
    assert.deepEqual(env, {
      WEFT_TRACING: '1',
      WEFT_TRACES_EXPORTER_HOST: 'collector',
      WEFT_TRACES_EXPORTER_PORT: '4319',
      WEFT_METRICS: '0',
    });
    const s = telemetryFromEnv(env);
    assert.equal(s.tracing, true);
    assert.equal(s.tracesUrl, 'http://collector:4319/v1/traces');
    assert.equal(s.metrics, false);
  });

  it('take a scheme, an IPv6 host, or a port in the host', () => {
    assert.equal(
      telemetryFromEnv({ WEFT_TRACES_EXPORTER_HOST: 'https://otel.example.com' }).tracesUrl,
      'https://otel.example.com:4318/v1/traces',
    );
    assert.equal(
      telemetryFromEnv({ WEFT_TRACES_EXPORTER_HOST: '::1', WEFT_TRACES_EXPORTER_PORT: '9' }).tracesUrl,
      'http://[::1]:9/v1/traces',
    );
    assert.equal(
      telemetryFromEnv({ WEFT_METRICS_EXPORTER_HOST: 'http://m:1234' }).metricsUrl,
      'http://m:1234/v1/metrics',
    );
  });

  it('with the log options: WEFT_LOG_LEVEL and WEFT_ACCESS_LOG', () => {
    assert.deepEqual(observabilityEnv({ logLevel: 'debug', accessLog: false }), {
      WEFT_LOG_LEVEL: 'debug',
      WEFT_ACCESS_LOG: '0',
    });
    assert.deepEqual(observabilityEnv({}), {});
  });
});
