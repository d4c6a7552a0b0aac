// `weft executor --monitoring --port-monitoring <p>` and `weft gateway --monitoring …` serve /metrics on the port
// given, the gateway counting the requests it routes to the executor.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, DocumentArray } from '../../../src/index.js';
import { freePorts } from '../../../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const started: ChildProcess[] = [];

/** Run `weft …`; resolves once it printed its address on stdout. */
async function weft(args: string[]): Promise<ChildProcess> {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (/:\/\/\S+:\d+/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`weft ${args[0]} exited ${code}: ${err}`)));
  });
  return child;
}

describe('weft executor and weft gateway with --monitoring', { timeout: 60_000 }, () => {
  after(async () => {
    await Promise.all(
      started.map(async (c) => {
        if (c.exitCode === null && c.signalCode === null) {
          c.kill('SIGTERM');
          await once(c, 'exit');
        }
      }),
    );
  });

  it('serve /metrics on --port-monitoring', async () => {
    const [execPort, execMetrics, gatewayPort, gatewayMetrics] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    await weft([
      'executor',
      '--uses',
      './fixtures/executors.ts#Pass',
      '--name',
      'pass',
      '--host',
      '127.0.0.1',
      '--port',
      String(execPort),
      '--monitoring',
      '--port-monitoring',
      String(execMetrics),
    ]);
    await weft([
      'gateway',
      '--graph-description',
      '{"start-gateway":["pass"],"pass":["end-gateway"]}',
      '--deployments-addresses',
      `{"pass":["127.0.0.1:${execPort}"]}`,
      '--host',
      '127.0.0.1',
      '--port',
      String(gatewayPort),
      '--monitoring',
      '--port-monitoring',
      String(gatewayMetrics),
    ]);
    const client = new Client({ host: '127.0.0.1', port: gatewayPort });
    try {
      await client.post('/x', new DocumentArray([{ text: 'a' }]));
    } finally {
      await client.close();
    }
    const gateway = await (await fetch(`http://127.0.0.1:${gatewayMetrics}/metrics`)).text();
    assert.match(
      gateway,
      /jina_successful_requests_total\{runtime_name="gateway",executor="",executor_endpoint="\/x"\} 1/,
    );
    const executor = await (await fetch(`http://127.0.0.1:${execMetrics}/metrics`)).text();
    assert.match(
      executor,
      /jina_successful_requests_total\{runtime_name="pass",executor="pass",executor_endpoint="\/x"\} 1/,
    );
  });
});
