// Runtime processes receive configuration their parent validated: a worker, a head and a gateway started by a
// Flow decode it and never load zod (start-up time). Every child process records the modules it loads (ES modules
// through a resolve hook, CommonJS ones from the require cache) with the `module-log.mjs` preload; the test reads
// what the gateway, the head and the workers loaded.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DocumentArray, Flow } from '../../../src/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const preload = new URL('../../fixtures/module-log.mjs', import.meta.url).href;

describe('runtime processes', () => {
  it('a Flow’s gateway, head and workers (one loading an executor YAML) never load zod', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-modules-'));
    const flow = new Flow(
      {
        protocol: ['grpc', 'http'],
        env: { NODE_OPTIONS: `--import=${preload}`, WEFT_MODULE_LOG: dir, WEFT_TEST_GREETING: 'hi' },
      },
      { cwd: here },
    )
      .add({ name: 'mark', uses: './fixtures/executors.ts#Mark', shards: 2 })
      .add({ name: 'greeter', uses: '../../fixtures/executors/greeter.yml' });
    try {
      await flow.start();
      const r = await flow.post('/greet', new DocumentArray([{ text: 'x' }]));
      assert.equal(r.length, 1);
    } finally {
      await flow.close();
    }
    const loaded = new Map<string, string[]>(); // entry file → modules, per process
    for (const f of readdirSync(dir)) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      const entry = lines.find((l) => l.startsWith('exit '))?.slice(5) ?? '(no exit line)';
      loaded.set(`${entry} (${f})`, lines);
    }
    const kinds = [...loaded.keys()].map((k) => /(worker|head|gateway)-main\.ts/.exec(k)?.[1]).sort();
    assert.deepEqual(kinds, ['gateway', 'head', 'worker', 'worker', 'worker']);
    for (const [entry, lines] of loaded) {
      // the recorder saw this process load weft (so an empty log cannot pass) …
      assert.ok(
        lines.some((l) => l.includes('/src/runtime/runtime-main.ts')),
        `${entry} recorded its modules`,
      );
      // … and not zod
      const zod = lines.filter((l) => l.includes('/node_modules/zod/'));
      assert.deepEqual(zod, [], `${entry} loaded zod`);
    }
  });
});
