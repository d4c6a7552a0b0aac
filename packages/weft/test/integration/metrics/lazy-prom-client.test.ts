// prom-client is loaded only where monitoring is on: in a Flow whose gateway and one executor are unmonitored and
// one executor is monitored, only the monitored worker process loads prom-client. Every child process records the
// modules it loads with the `module-log.mjs` preload (as no-zod.test.ts does).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DocumentArray, Flow } from '../../../src/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const preload = new URL('../../fixtures/module-log.mjs', import.meta.url).href;

describe('monitoring', () => {
  it('loads prom-client only in monitored runtimes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-modules-'));
    const flow = new Flow({ env: { NODE_OPTIONS: `--import=${preload}`, WEFT_MODULE_LOG: dir } }, { cwd: here })
      .add({ name: 'watched', uses: './fixtures/executors.ts#Pass', monitoring: true })
      .add({ name: 'plain', uses: './fixtures/plain-executor.ts#Plain' });
    try {
      await flow.start();
      assert.equal((await flow.post('/', new DocumentArray([{ text: 'x' }]))).length, 1);
      const [watched] = flow.monitoringEndpoints;
      assert.equal(watched?.runtime, 'watched/rep-0');
      const text = await (await fetch(`http://${watched?.address}/metrics`)).text();
      assert.match(text, /jina_successful_requests_total\{runtime_name="watched\/rep-0",executor="watched"/);
    } finally {
      await flow.close();
    }
    const processes: { kind: string; promClient: boolean }[] = [];
    for (const f of readdirSync(dir)) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      const kind = /(worker|head|gateway)-main\.ts/.exec(lines.find((l) => l.startsWith('exit ')) ?? '')?.[1];
      if (!kind) continue;
      const executor = lines.some((l) => l.includes('plain-executor.ts'))
        ? 'plain'
        : lines.some((l) => l.includes('fixtures/executors.ts'))
          ? 'watched'
          : '';
      processes.push({
        kind: `${kind} ${executor}`.trim(),
        promClient: lines.some((l) => l.includes('/prom-client/')),
      });
    }
    processes.sort((a, b) => (a.kind < b.kind ? -1 : 1));
    assert.deepEqual(processes, [
      { kind: 'gateway', promClient: false },
      { kind: 'worker plain', promClient: false },
      { kind: 'worker watched', promClient: true },
    ]);
  });
});
