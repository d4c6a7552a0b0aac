// The runtimes a container runs (`weft executor`, `weft gateway`) take --tracing and --log-level themselves: a
// request from a traced Client through `weft gateway` to `weft executor` is one trace, the gateway writes its
// access line, and the executor's console output is a line of its runtime.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client, DocumentArray } from '../../../src/index.js';
import { type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';

const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));
const children: ChildProcess[] = [];

function weft(args: string[]): { child: ChildProcess; stderr: () => string; address: Promise<string> } {
  const { NODE_TEST_CONTEXT: _, WEFT_LOG_LEVEL: __, WEFT_ACCESS_LOG: ___, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: join(import.meta.dirname, 'fixtures'),
    env: { ...env, WEFT_LOG_FORMAT: 'json', OTEL_BSP_SCHEDULE_DELAY: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const address = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(grpc:\/\/\S+)$/m.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`weft ${args[0]} exited ${code}: ${err}`)));
  });
  return { child, stderr: () => err, address };
}

describe('weft executor / weft gateway with --tracing', () => {
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
  });

  it('one trace from the Client through the gateway to the executor; access and console lines', async () => {
    const receiver = await startOtlpReceiver();
    const otel = ['--tracing', '--traces-exporter-port', String(receiver.port)];
    const exec = weft([
      'executor',
      '--uses',
      './traced-executor.ts#Traced',
      '--name',
      'traced',
      '--host',
      '127.0.0.1',
      ...otel,
    ]);
    const execAddress = (await exec.address).replace('grpc://', '');
    const gw = weft([
      'gateway',
      '--graph-description',
      '{"start-gateway":["traced"],"traced":["end-gateway"]}',
      '--deployments-addresses',
      JSON.stringify({ traced: [execAddress] }),
      '--host',
      '127.0.0.1',
      ...otel,
    ]);
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${receiver.port}/v1/traces` })),
      ],
    });
    try {
      const client = new Client({ host: await gw.address, tracer: provider.getTracer('test'), showProgress: false });
      const docs = await client.post('/', DocumentArray.empty(2));
      await client.close();
      assert.equal(docs.at(0)?.tags.marked, true);

      const find = (name: string): ReceivedSpan | undefined => receiver.spans.find((s) => s.name === name);
      await receiver.until(() => ['client /', 'gateway /', 'inside traced'].every((n) => find(n)));
      const root = find('client /') as ReceivedSpan;
      const gateway = find('gateway /') as ReceivedSpan;
      const own = find('inside traced') as ReceivedSpan;
      const executor = receiver.spans.find((s) => s.spanId === own.parentSpanId) as ReceivedSpan;
      assert.equal(gateway.parentSpanId, root.spanId);
      assert.equal(executor.attributes['weft.runtime'], 'worker');
      const call = receiver.spans.find((s) => s.spanId === executor.parentSpanId) as ReceivedSpan;
      assert.equal(call.parentSpanId, gateway.spanId);
      for (const s of [gateway, executor, call, own]) assert.equal(s.traceId, root.traceId);

      const lines = (text: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const access = lines(gw.stderr()).find((l) => l.access === true);
      assert.equal(access?.status, 'SUCCESS');
      const said = lines(exec.stderr()).find((l) => l.console === true);
      assert.equal(said?.msg, 'marking 2 docs');
      assert.equal(said?.request_id, access?.request_id);
    } finally {
      await provider.shutdown();
      await receiver.close();
    }
  });
});
