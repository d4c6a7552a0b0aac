// `weft flow --uses flow.yml --reload`, the developer loop: the CLI serves a Flow of two TypeScript executors in
// different folders; editing one executor's file restarts that executor only (it answers with the new code, from a
// new process), while the other executor and the gateway keep their processes and the gateway keeps serving. A
// change to a file that no executor loads restarts nothing. SIGTERM then stops everything, exit code 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '../../../src/index.js';
import { freePort } from '../../../src/orchestrate/index.js';
import { alive, childrenOf } from '../../../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));
const WEFT = pathToFileURL(fileURLToPath(new URL('../../../src/index.js', import.meta.url))).href;

/** An executor that stamps each document with `tags[key] = value` and its process id as `tags[key + 'Pid']`. */
function stampExecutor(className: string, key: string, value: string): string {
  return `import { type DocumentArray, Executor, requests } from '${WEFT}';
export class ${className} extends Executor {
  @requests()
  stamp({ docs }: { docs: DocumentArray }): void {
    for (const d of docs) d.tags = { ...d.tags, ${key}: '${value}', ${key}Pid: process.pid };
  }
}
`;
}

describe('weft flow --reload', { timeout: 180_000 }, () => {
  let dir: string;
  let cli: ChildProcess;
  let port: number;
  let err = '';
  let client: Client;

  /** Resolve once the CLI's stderr shows a line matching `re` after the first `from` characters. */
  const stderrLine = (re: RegExp, from: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(err.slice(from));
        if (m) {
          cli.stderr?.off('data', check);
          resolve(m[0]);
        }
      };
      cli.stderr?.on('data', check);
      cli.once('exit', (code) => reject(new Error(`weft flow exited (${code}):\n${err}`)));
      check();
    });

  const tags = async (): Promise<Record<string, unknown>> => {
    const docs = await client.post('/', [{ id: 'd1', text: 'hello' }]);
    return [...docs][0]?.tags as Record<string, unknown>;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-reload-'));
    // an ESM project, as a user's is (outside a "type": "module" package tsx would load the .ts files as CommonJS)
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'greeter'));
    mkdirSync(join(dir, 'counter'));
    writeFileSync(join(dir, 'greeter', 'greeter.ts'), stampExecutor('Greeter', 'greeting', 'hello v1'));
    writeFileSync(join(dir, 'counter', 'counter.ts'), stampExecutor('Counter', 'count', 'one'));
    writeFileSync(
      join(dir, 'flow.yml'),
      `jtype: Flow
with: { protocol: http }
executors:
  - name: greeter
    uses: ./greeter/greeter.ts#Greeter
  - name: counter
    uses: ./counter/counter.ts#Counter
`,
    );
    port = await freePort();
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    cli = spawn(process.execPath, [BIN, 'flow', '--uses', join(dir, 'flow.yml'), '--reload', '--port', String(port)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cli.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    await stderrLine(/reloading on source changes of greeter, counter/, 0);
    client = new Client({ host: '127.0.0.1', port, protocol: 'http', showProgress: false });
  });

  after(async () => {
    await client?.close();
    if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("restarts only the executor whose file changed; the gateway and the other executor's processes stay", async () => {
    const before = await tags();
    assert.equal(before.greeting, 'hello v1');
    assert.equal(before.count, 'one');
    const children = childrenOf(cli.pid as number);
    assert.ok(children.includes(before.greetingPid as number) && children.includes(before.countPid as number));

    const from = err.length;
    writeFileSync(join(dir, 'greeter', 'greeter.ts'), stampExecutor('Greeter', 'greeting', 'hello v2'));
    assert.match(await stderrLine(/reloaded greeter in .*\n/, from), /greeter\.ts changed/);

    const now = await tags();
    assert.equal(now.greeting, 'hello v2', 'the edited executor answers with its new code');
    assert.notEqual(now.greetingPid, before.greetingPid, 'from a new process');
    assert.equal(now.countPid, before.countPid, 'the other executor kept its process');
    const gateway = children.filter((p) => p !== before.greetingPid && p !== before.countPid);
    assert.ok(gateway.length > 0, `the gateway is a child too: ${children}`);
    const after = childrenOf(cli.pid as number);
    for (const pid of gateway) assert.ok(after.includes(pid), `gateway/other process ${pid} kept running`);
    assert.doesNotMatch(err.slice(from), /reloaded counter/);
  });

  it('a file no executor loads restarts nothing', async () => {
    const before = await tags();
    const from = err.length;
    // beside greeter.ts, but not code: the watcher of that folder sees them and restarts nothing
    writeFileSync(join(dir, 'greeter', 'notes.txt'), 'not loaded by any executor\n');
    writeFileSync(join(dir, 'greeter', 'greeter.ts.swp'), 'an editor swap file\n');
    // a change that does reload, as the marker that the watcher saw the earlier ones
    writeFileSync(join(dir, 'counter', 'counter.ts'), stampExecutor('Counter', 'count', 'two'));
    await stderrLine(/reloaded counter in .*\n/, from);
    assert.doesNotMatch(err.slice(from), /reloaded greeter/);
    const now = await tags();
    assert.equal(now.count, 'two');
    assert.equal(now.greetingPid, before.greetingPid);
  });

  it('stops everything on SIGTERM, exit code 0', async () => {
    const pids = childrenOf(cli.pid as number);
    cli.kill('SIGTERM');
    const [code] = (await once(cli, 'exit')) as [number | null];
    assert.equal(code, 0, err);
    assert.deepEqual(alive(pids), [], 'no process is left');
  });
});
