// Logs of a real Flow (gateway and two worker processes): JSON lines on a pipe, an access line per request at
// the gateway (and none with `access_log: false`), an executor's console output as lines named after it with
// the request's id, and a log level per executor.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'chatty-flow.ts');

interface Line {
  time: string;
  level: string;
  name: string;
  msg: string;
  [k: string]: unknown;
}

async function run(options: object): Promise<Line[]> {
  const { NODE_TEST_CONTEXT: _, WEFT_LOG_LEVEL: __, WEFT_LOG_FORMAT: ___, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', FIXTURE, JSON.stringify(options)],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, err);
  assert.match(out, /answered 3/);
  // every line on the pipe is one JSON object
  return err
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new assert.AssertionError({ message: `not a JSON line: ${l}` });
      }
    });
}

describe('logs of a Flow', () => {
  it('JSON lines: access log at the gateway, console output named and with the request id, level per executor', async () => {
    const lines = await run({ executors: [{}, { logLevel: 'warn' }] });
    for (const l of lines) {
      assert.equal(typeof l.time, 'string');
      assert.ok(['error', 'warn', 'info', 'debug'].includes(l.level), l.level);
      assert.equal(typeof l.name, 'string');
    }
    const access = lines.filter((l) => l.access === true);
    assert.equal(access.length, 1, JSON.stringify(access));
    const a = access[0] as Line;
    assert.equal(a.name, 'weft gateway gateway');
    assert.equal(a.protocol, 'grpc');
    assert.equal(a.endpoint, '/talk');
    assert.equal(a.status, 'SUCCESS');
    assert.equal(a.docs, 3);
    assert.equal(typeof a.duration_ms, 'number');
    assert.equal(typeof a.request_id, 'string');

    const said = (name: string): Line[] =>
      lines.filter((l) => l.console === true && l.name === `weft worker ${name}/rep-0`);
    // chatty0 at the default level (info): its log and warn lines, not its debug line
    assert.deepEqual(
      said('chatty0').map((l) => [l.level, l.msg]),
      [
        ['info', 'chatty0 got 3 docs'],
        ['warn', 'chatty0 warns'],
      ],
    );
    // chatty1 at warn: only the warning
    assert.deepEqual(
      said('chatty1').map((l) => [l.level, l.msg]),
      [['warn', 'chatty1 warns']],
    );
    // every line about the request carries its id
    for (const l of [...said('chatty0'), ...said('chatty1')]) assert.equal(l.request_id, a.request_id);
    // chatty1's own start-up lines are below its level too
    assert.ok(!lines.some((l) => l.name === 'weft worker chatty1/rep-0' && l.level === 'info'));
  });

  it('access_log: false leaves the access line out; log_level debug lets debug lines through', async () => {
    const lines = await run({ accessLog: false, logLevel: 'debug', executors: [{}] });
    assert.equal(lines.filter((l) => l.access === true).length, 0);
    assert.ok(lines.some((l) => l.console === true && l.level === 'debug' && l.msg === 'chatty0 debugs'));
  });
});
