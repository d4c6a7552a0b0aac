import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureConsole } from './console-capture.js';
import { createLogger, logFormatFromEnv, logLevelFromEnv } from './log.js';
import { enableRequestContext, withRequestId } from './request-context.js';
import { withoutInternalFrames } from './stack-frames.js';

describe('logger', () => {
  it('writes one readable line per event: level, name, message, fields', () => {
    const lines: string[] = [];
    const log = createLogger('weft worker enc/rep-0', { level: 'info', format: 'pretty', sink: (l) => lines.push(l) });
    log.info('ready on 127.0.0.1:5000');
    log.error('executor close() failed', { code: 'WEFT_X', why: 'two words' });
    assert.deepEqual(lines, [
      'info weft worker enc/rep-0: ready on 127.0.0.1:5000\n',
      'error weft worker enc/rep-0: executor close() failed code=WEFT_X why="two words"\n',
    ]);
  });

  it('writes JSON lines with time, level, name, msg and the fields', () => {
    const lines: string[] = [];
    const log = createLogger('weft gateway gateway', { format: 'json', sink: (l) => lines.push(l) });
    log.child({ runtime: 'gateway' }).warn('slow', { ms: 12 });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.endsWith('\n'));
    const line = JSON.parse(lines[0] as string);
    assert.equal(typeof line.time, 'string');
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.deepEqual(
      { ...line, time: 0 },
      { time: 0, level: 'warn', name: 'weft gateway gateway', msg: 'slow', runtime: 'gateway', ms: 12 },
    );
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const log = createLogger('x', { level: 'warn', format: 'pretty', sink: (l) => lines.push(l) });
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

  it('is readable on a terminal and JSON elsewhere, unless WEFT_LOG_FORMAT says', () => {
    assert.equal(logFormatFromEnv({}, true), 'pretty');
    assert.equal(logFormatFromEnv({}, false), 'json');
    assert.equal(logFormatFromEnv({ WEFT_LOG_FORMAT: 'json' }, true), 'json');
    assert.equal(logFormatFromEnv({ WEFT_LOG_FORMAT: 'pretty' }, false), 'pretty');
  });

  it('puts the request id on lines written while a request is handled, console output included', async () => {
    const lines: string[] = [];
    const log = createLogger('weft worker enc/rep-0', { format: 'json', level: 'debug', sink: (l) => lines.push(l) });
    const fake = { ...console };
    const restore = captureConsole(log, fake);
    enableRequestContext();
    await withRequestId('req-1', async () => {
      await Promise.resolve();
      fake.log('working on %d docs', 3);
    });
    fake.error('outside');
    restore();
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(
      parsed.map((p) => [p.level, p.msg, p.request_id, p.console]),
      [
        ['info', 'working on 3 docs', 'req-1', true],
        ['error', 'outside', undefined, true],
      ],
    );
    assert.equal(fake.log, console.log);
  });

  it("leaves weft's own and Node's frames out of a stack, the user's in", () => {
    const own = new URL('../executor/uses.ts', import.meta.url).pathname;
    const stack = [
      "ExecutorLoadError: 'Broken' is not a class extending Executor",
      '    at new Broken (/app/broken.ts:1:40)',
      `    at importExecutor (${own}:118:5)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    assert.equal(
      withoutInternalFrames(stack),
      "ExecutorLoadError: 'Broken' is not a class extending Executor\n    at new Broken (/app/broken.ts:1:40)",
    );
  });
});
