import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, logLevelFromEnv } from './log.js';

describe('logger', () => {
  it('writes one line per event: level, name, message', () => {
    const lines: string[] = [];
    const log = createLogger('weft worker enc/rep-0', { level: 'info', sink: (l) => lines.push(l) });
    log.info('ready on 127.0.0.1:5000');
    log.error('executor close() failed');
    assert.deepEqual(lines, [
      'info weft worker enc/rep-0: ready on 127.0.0.1:5000\n',
      'error weft worker enc/rep-0: executor close() failed\n',
    ]);
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const log = createLogger('x', { level: 'warn', sink: (l) => lines.push(l) });
    log.debug('d');
    log.info('i');
    log.warn('w');
    assert.deepEqual(lines, ['warn x: w\n']);
    assert.equal(log.enabled('info'), false);
    assert.equal(log.enabled('error'), true);
  });

  it('reads its level from WEFT_LOG_LEVEL (info when unset or unknown)', () => {
    assert.equal(logLevelFromEnv({ WEFT_LOG_LEVEL: 'DEBUG' }), 'debug');
    assert.equal(logLevelFromEnv({}), 'info');
    assert.equal(logLevelFromEnv({ WEFT_LOG_LEVEL: 'loud' }), 'info');
  });
});
