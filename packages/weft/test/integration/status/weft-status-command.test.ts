/**
 * `weft status host:port` against a real Flow: health, versions, endpoints and a dry run through its executors,
 * with the exit codes scripts rely on (0 healthy, 1 unreachable or unhealthy, 2 usage).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Flow } from '@weft-ai/weft';
import { runCli } from '../../../src/cli/index.js';

const greeter = `${fileURLToPath(new URL('../../fixtures/executors/greeter.ts', import.meta.url))}#Greeter`;

async function status(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['status', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

let flow: Flow;
before(async () => {
  flow = await new Flow().add({ uses: greeter, name: 'greeter' }).start();
});
after(() => flow?.close());

describe('weft status', () => {
  it('reports a healthy Flow: health, versions, endpoints, dry run; exit 0', async () => {
    const r = await status([`127.0.0.1:${flow.port}`]);
    assert.equal(r.code, 0, r.out.join('\n'));
    assert.equal(r.out[0], `127.0.0.1:${flow.port}: healthy`);
    assert.match(r.out.join('\n'), /health {5}SERVING/);
    assert.match(r.out.join('\n'), /versions {3}weft \d+\.\d+\.\d+.*node v?\d+/);
    assert.match(r.out.join('\n'), /dry run {4}every executor answered/);
    assert.match(r.out.join('\n'), /endpoints {2}.*\/greet/);

    const json = await status([`grpc://127.0.0.1:${flow.port}`, '--json']);
    assert.equal(json.code, 0);
    const report = JSON.parse(json.out[0] as string);
    assert.equal(report.ok, true);
    assert.ok(report.endpoints.includes('/greet'), JSON.stringify(report));
  });

  it('exits 1 when nothing answers at the address', async () => {
    const r = await status([`127.0.0.1:${await closedPort()}`, '--timeout', '1000']);
    assert.equal(r.code, 1);
    assert.match(r.out.join('\n'), /UNHEALTHY[\s\S]*health {5}unreachable/);
  });

  it('exits 2 on a usage mistake', async () => {
    assert.equal((await status([])).code, 2);
    assert.equal((await status(['a:1', 'b:2'])).code, 2);
  });
});
