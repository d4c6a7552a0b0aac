// The exported commands are real `weft` command lines that work: export a Flow (replicas, shards behind a head, a
// condition) to docker-compose, then run every service's command as a local process — each service on a free
// port, service names replaced by 127.0.0.1 — in depends_on order, and send requests through the gateway.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { exportFlow } from '../../../src/export/index.js';
import { freePort } from '../../../src/orchestrate/index.js';
import { PROJECT, serve, stopAll } from './helpers.js';

interface Service {
  command: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  ports?: string[];
}

describe('exported docker-compose commands', { timeout: 180_000 }, () => {
  after(stopAll);

  it('run as they are and serve the Flow: replicas, a head over two shards, a condition', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'weft-compose-run-')), 'docker-compose.yml');
    // the project is where the image would hold it, so the exported paths resolve on this machine
    await exportFlow('docker-compose', join(PROJECT, 'flow.yml'), file, { appDir: PROJECT });
    const services = (parse(readFileSync(file, 'utf8')) as { services: Record<string, Service> }).services;
    const ports = new Map<string, number>();
    for (const name of Object.keys(services)) ports.set(name, await freePort());
    const local = (name: string, args: string[]): string[] =>
      args.map((a, i) => {
        if (args[i - 1] === '--port') return String(ports.get(name));
        let out = a;
        for (const [svc, port] of ports) out = out.replaceAll(`${svc}:8081`, `127.0.0.1:${port}`);
        return out;
      });
    const done = new Set<string>();
    const order: string[] = [];
    while (done.size < Object.keys(services).length) {
      const wave = Object.entries(services).filter(
        ([n, s]) => !done.has(n) && Object.keys(s.depends_on ?? {}).every((d) => done.has(d)),
      );
      assert.ok(wave.length > 0, 'depends_on has no cycle');
      await Promise.all(wave.map(([n, s]) => serve(n, local(n, s.command), s.environment ?? {})));
      for (const [n] of wave) {
        done.add(n);
        order.push(n);
      }
    }
    assert.equal(order.at(-1), 'gateway');
    assert.deepEqual(services.gateway?.ports, ['8080:8080']);
    // the Flow's HTTP options reach the gateway
    const openapi = await fetch(`http://127.0.0.1:${ports.get('gateway')}/openapi.json`);
    assert.equal(((await openapi.json()) as { info: { title: string } }).info.title, 'Exported shop');

    const res = await fetch(`http://127.0.0.1:${ports.get('gateway')}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        data: [
          { id: 'a', text: 'a', tags: { kind: 'text' } },
          { id: 'b', tags: { kind: 'image' } },
        ],
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { id: string; tags: Record<string, unknown> }[] };
    // the condition let only the text document through to the sharded executor, reached through its head
    assert.deepEqual(
      body.data.map((d) => [d.id, d.tags]),
      [['a', { kind: 'text', stamped: true, sharded: true, greeting: 'hello' }]],
    );
  });
});
