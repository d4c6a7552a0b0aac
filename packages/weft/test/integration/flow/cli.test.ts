// The `weft` executable, run as a user runs it (`node packages/weft/bin/weft.mjs …`, from the sources through
// tsx): `weft flow` serving a Flow YAML until SIGINT, `weft ping`, `weft executor`, and `weft gateway` built from
// Jina's gateway arguments alone in front of two `weft executor` processes.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '../../../src/index.js';
import { freePort } from '../../../src/testing/index.js';
import { allGone, childrenOf, killAll } from './helpers.js';

const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url)));
const fixtures = join(import.meta.dirname, 'fixtures');
const started: ChildProcess[] = [];
const everyPid: number[] = [];

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` on stdout (rejects if the process exits first). */
  printed(re: RegExp): Promise<RegExpExecArray>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function weft(args: string[], env: Record<string, string> = {}, options: { ownGroup?: boolean } = {}): Cli {
  const { NODE_TEST_CONTEXT: _, ...parentEnv } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: fixtures,
    env: { ...parentEnv, ...env },
    // a process group of its own, as a shell gives a foreground job: Ctrl-C signals the whole group
    detached: options.ownGroup === true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  const waiting: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiting]) {
      const m = w.re.exec(out);
      if (m) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    printed: (re) =>
      new Promise((resolve, reject) => {
        const m = re.exec(out);
        if (m) return resolve(m);
        waiting.push({ re, resolve });
        void exited.then(([code]) => reject(new Error(`weft ${args[0]} exited (${code}) first:\n${out}\n${err}`)));
      }),
  };
}

/** Run a `weft` command to its end; resolves with its exit code and output. */
async function weftToEnd(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const cli = weft(args);
  const [code] = await cli.exited;
  return { code, out: cli.stdout(), err: cli.stderr() };
}

describe('weft CLI', { timeout: 240_000 }, () => {
  after(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    killAll(everyPid);
  });

  it('weft flow --uses flow.yml --protocol grpc,http --port a,b serves the Flow, answers weft ping, and exits 0 on Ctrl-C leaving nothing behind', async () => {
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const cli = weft(
      ['flow', '--uses', 'flow.yml', '--protocol', 'grpc,http', '--port', `${grpcPort},${httpPort}`],
      { GREETER_NAME: 'cli-greeter', GREETING: 'hey', FLOW_TIMEOUT_READY: '120000' },
      { ownGroup: true },
    );
    await cli.printed(new RegExp(`^grpc://127\\.0\\.0\\.1:${grpcPort}$`, 'm'));
    await cli.printed(new RegExp(`^http://127\\.0\\.0\\.1:${httpPort}$`, 'm'));
    const children = childrenOf(cli.child.pid as number);
    everyPid.push(...children);
    assert.equal(children.length, 3, 'the gateway and two workers');

    const ping = await weftToEnd(['ping', 'flow', `127.0.0.1:${grpcPort}`]);
    assert.equal(ping.code, 0, ping.err);
    assert.match(ping.out, /SERVING/);

    const client = new Client({ host: `grpc://127.0.0.1:${grpcPort}` });
    try {
      const docs = await client.post('/', [{ text: 'Grace' }]);
      assert.equal(docs.at(0)?.text, 'hey, Grace (cli-greeter)');
    } finally {
      await client.close();
    }
    const http = await fetch(`http://127.0.0.1:${httpPort}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ text: 'Ada' }] }),
    });
    assert.equal(((await http.json()) as { data: { text: string }[] }).data[0]?.text, 'hey, Ada (cli-greeter)');

    // Ctrl-C in a terminal: SIGINT to every process of the foreground group, the runtimes included. weft flow
    // stops them in order; they must not take the terminal's SIGINT plus weft's SIGTERM for "exit now".
    process.kill(-(cli.child.pid as number), 'SIGINT');
    const [code, signal] = await cli.exited;
    assert.equal(code, 0, cli.stderr());
    assert.equal(signal, null);
    assert.match(cli.stderr(), /weft flow: stopped/);
    assert.doesNotMatch(cli.stderr(), /exiting now|shutdown failed/);
    await allGone(children);
  });

  it('weft ping exits 1 when nothing serves there, and 2 on a usage mistake', async () => {
    const port = await freePort();
    const down = await weftToEnd(['ping', 'executor', `127.0.0.1:${port}`, '--timeout', '2000']);
    assert.equal(down.code, 1);
    assert.match(down.err, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const usage = await weftToEnd(['ping', 'toaster', '127.0.0.1:1']);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /executor, gateway or flow/);
  });

  it('weft gateway, from Jina-style arguments alone, routes through two weft executor processes', async () => {
    const [portA, portB, portG] = [await freePort(), await freePort(), await freePort()];
    // one after the other: b's native transport binds a free port of its own, which could be a's, not yet bound
    const a = weft(['executor', '--uses', './executors.ts#Mark', '--port', String(portA), '--name', 'a']);
    await a.printed(new RegExp(`^grpc://0\\.0\\.0\\.0:${portA}$`, 'm'));
    const b = weft(['executor', '--uses', './executors.ts#Mark', '--port', String(portB), '--name', 'b']);
    await b.printed(new RegExp(`^grpc://0\\.0\\.0\\.0:${portB}$`, 'm'));
    const ping = await weftToEnd(['ping', 'executor', `127.0.0.1:${portA}`]);
    assert.equal(ping.code, 0, ping.err);

    const gateway = weft([
      'gateway',
      '--graph-description',
      JSON.stringify({ 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] }),
      '--deployments-addresses',
      JSON.stringify({ a: [`127.0.0.1:${portA}`], b: [`grpc://127.0.0.1:${portB}`] }),
      '--graph-conditions',
      JSON.stringify({ b: { tags__kind: { $eq: 'wanted' } } }),
      '--port',
      String(portG),
      '--host',
      '127.0.0.1',
    ]);
    await gateway.printed(new RegExp(`^grpc://127\\.0\\.0\\.1:${portG}$`, 'm'));
    const client = new Client({ host: `grpc://127.0.0.1:${portG}` });
    try {
      const docs = await client.post('/', [
        { id: 'keep', tags: { kind: 'wanted' } },
        { id: 'drop', tags: { kind: 'other' } },
      ]);
      // b's condition dropped one document; the other went a → b
      assert.deepEqual(
        docs.map((d) => [d.id, d.tags.path]),
        [['keep', '>a>b']],
      );
    } finally {
      await client.close();
    }

    for (const cli of [gateway, a, b]) cli.child.kill('SIGTERM');
    for (const cli of [gateway, a, b]) {
      const [code] = await cli.exited;
      assert.equal(code, 0, cli.stderr());
    }
  });

  it('the built CLI (WEFT_USE_DIST=1) serves a Flow whose executor is a TypeScript module, registering tsx itself', {
    skip: BUILT ? false : 'packages/weft is not built: run `npm run build` first',
  }, async () => {
    const cli = weft(['flow', '--uses', 'ts-executor-flow.yml', '--host', '127.0.0.1'], { WEFT_USE_DIST: '1' });
    const [, port] = (await cli.printed(/^grpc:\/\/127\.0\.0\.1:(\d+)$/m)) as unknown as [string, string];
    const children = childrenOf(cli.child.pid as number);
    everyPid.push(...children);
    // it runs the build: its gateway and worker processes start from dist/ (plain node, no tsx flag)
    const commands = children.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
    assert.equal(commands.length, 2, 'the gateway and one worker');
    for (const argv of commands) {
      assert.match(argv.join(' '), /\/dist\/runtime\/(worker|gateway)\/\1-main\.js/);
      assert.doesNotMatch(argv.join(' '), /tsx/);
    }
    const client = new Client({ host: `grpc://127.0.0.1:${port}` });
    try {
      assert.equal((await client.post('/shout', [{ text: 'hi' }])).at(0)?.text, 'HI!');
    } finally {
      await client.close();
    }
    cli.child.kill('SIGTERM');
    const [code] = await cli.exited;
    assert.equal(code, 0, cli.stderr());
  });
});
