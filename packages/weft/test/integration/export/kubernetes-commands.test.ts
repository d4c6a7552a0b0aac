// The exported Kubernetes workloads run as they are: export a Flow (replicas, shards behind a head, a condition,
// HTTP options), then start each workload's container command as a local process — each Service on a free port,
// `*.svc` addresses replaced by 127.0.0.1, the ConfigMap's executor.yml written where the command reads it, the
// ConfigMap's environment set — answer each container's own readiness probe, and serve requests at the gateway.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { exportFlow } from '../../../src/export/index.js';
import { freePort } from '../../../src/orchestrate/index.js';
import { PROJECT, runToEnd, serve, stopAll } from './helpers.js';

type Obj = Record<string, any>;

describe('exported Kubernetes workloads', { timeout: 180_000 }, () => {
  after(stopAll);

  it('run their container commands, pass their probes and serve the Flow', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'weft-k8s-run-'));
    await exportFlow('kubernetes', join(PROJECT, 'flow.yml'), join(tmp, 'k8s'), { appDir: PROJECT, namespace: 'run' });
    const objects = readdirSync(join(tmp, 'k8s')).flatMap((f) =>
      parseAllDocuments(readFileSync(join(tmp, 'k8s', f), 'utf8')).map((d) => d.toJS() as Obj),
    );
    const configMaps = new Map(
      objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]),
    );
    const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    const ports = new Map<string, number>();
    for (const w of workloads) ports.set(w.metadata.name, await freePort());
    const local = (name: string, args: string[], configFile: string | undefined): string[] =>
      args.map((a, i) => {
        if (args[i - 1] === '--port') return String(ports.get(name));
        if (a === '/weft/config/executor.yml' && configFile) return configFile;
        let out = a;
        for (const [svc, port] of ports) out = out.replaceAll(`${svc}.run.svc:8080`, `127.0.0.1:${port}`);
        return out;
      });
    const start = async (w: Obj): Promise<void> => {
      const name = w.metadata.name as string;
      const pod = w.spec.template.spec;
      assert.equal(pod.containers.length, 1, `${name}: one container`);
      const c = pod.containers[0];
      const volume = (pod.volumes ?? []).find((v: Obj) => v.configMap);
      let configFile: string | undefined;
      if (volume) {
        configFile = join(tmp, `${name}.yml`);
        writeFileSync(configFile, configMaps.get(volume.configMap.name)[volume.configMap.items[0].key]);
      }
      const env: Record<string, string> = {};
      for (const e of c.env ?? []) {
        if (e.value !== undefined) env[e.name] = e.value;
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref) env[e.name] = configMaps.get(ref.name)[ref.key];
      }
      assert.deepEqual(c.command, ['weft']);
      await serve(name, local(name, c.args, configFile), env);
      // the container's own readiness probe, pointed at where it listens here
      const probe = (c.readinessProbe.exec.command as string[])
        .slice(1)
        .map((a) => a.replace(/:8080$/, `:${ports.get(name)}`));
      assert.equal(await runToEnd(probe), 0, `${name}: ${probe.join(' ')}`);
    };
    const role = (r: string) => workloads.filter((w) => w.metadata.labels['weft/role'] === r);
    await Promise.all(role('worker').map(start));
    await Promise.all(role('head').map(start));
    await Promise.all(role('gateway').map(start));
    assert.deepEqual(workloads.map((w) => w.metadata.name).sort(), [
      'gateway',
      'shard-0',
      'shard-1',
      'shard-head',
      'stamp',
    ]);

    const base = `http://127.0.0.1:${ports.get('gateway')}`;
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { title: string } };
    assert.equal(openapi.info.title, 'Exported shop');
    const res = await fetch(`${base}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        data: [
          { id: 'a', tags: { kind: 'text' } },
          { id: 'b', tags: { kind: 'image' } },
        ],
      }),
    });
    const body = (await res.json()) as { data: { id: string; tags: Record<string, unknown> }[] };
    assert.deepEqual(
      body.data.map((d) => [d.id, d.tags]),
      [['a', { kind: 'text', stamped: true, sharded: true, greeting: 'hello' }]],
    );
  });
});
