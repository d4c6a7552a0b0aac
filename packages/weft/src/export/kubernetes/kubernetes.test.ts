import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { GOLDEN_FLOW, GOLDEN_OPTIONS, GOLDEN_OUT } from '../../../test/golden/export/test-flow.js';
import { validateKubernetesObject } from '../../../test/golden/export/validate.js';
import { assertGolden } from '../../../test/golden/golden.js';
import { exportFlow } from '../index.js';

type Obj = Record<string, any>;

async function exported(options = {}): Promise<Map<string, { text: string; objects: Obj[] }>> {
  const dir = join(mkdtempSync(join(tmpdir(), 'weft-k8s-')), 'k8s');
  await exportFlow('kubernetes', GOLDEN_FLOW, dir, { ...GOLDEN_OPTIONS, namespace: 'shop', ...options });
  const out = new Map<string, { text: string; objects: Obj[] }>();
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    out.set(f, { text, objects: parseAllDocuments(text).map((d) => d.toJS() as Obj) });
  }
  return out;
}

const all = (files: Map<string, { objects: Obj[] }>): Obj[] => [...files.values()].flatMap((f) => f.objects);
const find = (objects: Obj[], kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name}`);
  return o;
};

describe('weft export kubernetes', () => {
  it('writes the golden manifests, every object valid against the Kubernetes schemas', async () => {
    const files = await exported({ autoscale: true });
    assert.deepEqual(
      [...files.keys()],
      ['audit.yml', 'encoder.yml', 'gateway.yml', 'indexer.yml', 'ranker.yml', 'tagger.yml'],
    );
    for (const [name, { text, objects }] of files) {
      assertGolden(join(GOLDEN_OUT, 'kubernetes', name), text);
      for (const o of objects) validateKubernetesObject(o);
    }
  });

  it('fails validation for a broken object (the check can fail)', () => {
    assert.throws(
      () =>
        validateKubernetesObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'x' },
          spec: { replicas: 'two' },
        }),
      /Deployment x: .*replicas/,
    );
  });

  it('runs shards as one StatefulSet each behind a head, replicas as spec.replicas, the gateway with *.svc addresses', async () => {
    const objects = all(await exported());
    // the stateful indexer: a StatefulSet with a workspace claim per shard, a head fanning out to both
    for (const s of ['indexer-0', 'indexer-1']) {
      const sts = find(objects, 'StatefulSet', s);
      assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'workspace');
      assert.ok(sts.spec.template.spec.containers[0].args.includes('/weft/workspace'));
      find(objects, 'Service', s);
    }
    const head = find(objects, 'Deployment', 'indexer-head').spec.template.spec.containers[0];
    assert.deepEqual(head.args.slice(0, 2), ['head', '--deployment']);
    assert.deepEqual(JSON.parse(head.args[head.args.indexOf('--connection-list') + 1]), {
      0: ['indexer-0.shop.svc:8080'],
      1: ['indexer-1.shop.svc:8080'],
    });
    assert.ok(head.env.some((e: Obj) => e.name === 'WEFT_TRANSPORT' && e.value === 'grpc'));
    assert.equal(head.args[head.args.indexOf('--uses-after-address') + 1], '127.0.0.1:8082');
    const sidecar = find(objects, 'Deployment', 'indexer-head').spec.template.spec.containers[1];
    assert.equal(sidecar.name, 'uses-after');
    assert.deepEqual(sidecar.args.slice(0, 5), ['executor', '--uses', '/weft/config/executor.yml', '--port', '8082']);
    // replicas: one Deployment, spec.replicas, GPUs and resources from the options
    const enc = find(objects, 'Deployment', 'encoder');
    assert.equal(enc.spec.replicas, 2);
    const c = enc.spec.template.spec.containers[0];
    assert.equal(c.resources.limits['nvidia.com/gpu'], '1');
    assert.equal(c.resources.requests.cpu, '500m');
    assert.deepEqual(c.args.slice(0, 5), ['executor', '--uses', '/weft/config/executor.yml', '--port', '8080']);
    assert.deepEqual(c.startupProbe.exec.command.slice(0, 4), ['weft', 'ping', 'executor', '127.0.0.1:8080']);
    assert.equal(c.startupProbe.failureThreshold, 24); // timeout_ready 120 s at one probe per 5 s
    assert.deepEqual(c.lifecycle.preStop.exec.command, ['sleep', '5']);
    assert.equal(enc.spec.template.spec.terminationGracePeriodSeconds, 60);
    // the gateway: the routing graph, *.svc addresses (the head for the sharded indexer), the external as given
    const gw = find(objects, 'Deployment', 'gateway').spec.template.spec.containers[0];
    const arg = (flag: string) => gw.args[gw.args.indexOf(flag) + 1];
    assert.deepEqual(JSON.parse(arg('--deployments-addresses')), {
      encoder: ['grpc://encoder.shop.svc:8080'],
      indexer: ['grpc://indexer-head.shop.svc:8080'],
      tagger: ['grpc://tagger.shop.svc:8080'],
      ranker: ['grpc://ranker.shop.svc:8080'],
      audit: ['grpc://audit.shop.svc:8080'],
      legacy: ['legacy.example.com:50051'],
    });
    assert.deepEqual(JSON.parse(arg('--graph-conditions')), { tagger: { tags__kind: { $eq: 'text' } } });
    assert.equal(JSON.parse(arg('--graph-description')).audit.length, 0, 'the floating audit is not awaited');
    assert.equal(arg('--protocol'), 'http,grpc');
    assert.deepEqual(gw.startupProbe.exec.command.slice(0, 4), ['weft', 'ping', 'gateway', 'http://127.0.0.1:8080']);
    const svc = find(objects, 'Service', 'gateway');
    assert.deepEqual(
      svc.spec.ports.map((p: Obj) => [p.name, p.port]),
      [
        ['http', 8080],
        ['grpc', 8081],
      ],
    );
    // a docker:// executor runs that image; the project module is rebased into the image
    assert.equal(
      find(objects, 'Deployment', 'ranker').spec.template.spec.containers[0].image,
      'registry.example.com/ranker:1.2',
    );
    assert.match(
      find(objects, 'ConfigMap', 'tagger-configmap').data['executor.yml'],
      /jtype: \/app\/executors\/tagger\.ts#Tagger/,
    );
    assert.equal(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length, 0, 'no HPA without --autoscale');
  });

  it('--autoscale adds a HorizontalPodAutoscaler per stateless executor workload only', async () => {
    const hpas = all(await exported({ autoscale: true })).filter((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.deepEqual(hpas.map((h) => h.metadata.name).sort(), ['audit', 'encoder', 'ranker', 'tagger']);
    assert.equal(hpas.find((h) => h.metadata.name === 'encoder')?.spec.minReplicas, 2);
  });

  it("names images after weft's Dockerfiles, tagged with the weft version, by default", async () => {
    const { weftVersion } = await import('../index.js');
    const dir = join(mkdtempSync(join(tmpdir(), 'weft-k8s-')), 'k8s');
    await exportFlow('kubernetes', GOLDEN_FLOW, dir);
    const image = (file: string): string[] =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1] as string);
    const v = weftVersion();
    // each built-in runs in its package's image; the project's own module in the executor image built from it
    assert.deepEqual(image('encoder.yml'), [`weft-image-encoder:${v}`]);
    assert.deepEqual(image('indexer.yml'), [
      `weft-vector-indexer:${v}`,
      `weft-vector-indexer:${v}`,
      `weft-gateway:${v}`,
      `weft-executor:${v}`,
    ]);
    assert.deepEqual(image('tagger.yml'), [`weft-executor:${v}`]);
    assert.deepEqual(image('audit.yml'), [`weft-gateway:${v}`]);
    assert.deepEqual(image('gateway.yml'), [`weft-gateway:${v}`]);
    const text = readFileSync(join(dir, 'gateway.yml'), 'utf8');
    assert.ok(text.includes('namespace: default'));
  });

  it('monitoring: /metrics on 9090 in every container and Service, the dashboard ConfigMap, a ServiceMonitor when asked', async () => {
    // the golden Flow with `monitoring: true` (the goldens themselves stay unmonitored)
    const copy = mkdtempSync(join(tmpdir(), 'weft-k8s-monitored-'));
    cpSync(dirname(GOLDEN_FLOW), copy, { recursive: true });
    const flowFile = join(copy, 'flow.yml');
    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('with:\n', 'with:\n  monitoring: true\n'));
    const dir = join(mkdtempSync(join(tmpdir(), 'weft-k8s-')), 'k8s');
    await exportFlow('kubernetes', flowFile, dir, { ...GOLDEN_OPTIONS, namespace: 'shop', serviceMonitor: true });
    const objects = readdirSync(dir).flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Obj),
    );
    for (const o of objects) if (o.kind !== 'ServiceMonitor') validateKubernetesObject(o);
    const gateway = find(objects, 'Deployment', 'gateway').spec.template.spec.containers[0];
    assert.deepEqual(gateway.args.slice(-3), ['--monitoring', '--port-monitoring', '9090']);
    assert.ok(gateway.ports.some((p: Obj) => p.name === 'monitoring' && p.containerPort === 9090));
    const encoder = find(objects, 'Deployment', 'encoder').spec.template.spec.containers[0];
    assert.ok(encoder.args.includes('--monitoring'));
    const head = find(objects, 'Deployment', 'indexer-head').spec.template.spec.containers;
    assert.deepEqual(
      head.flatMap((c: Obj) =>
        c.ports.filter((p: Obj) => p.name.startsWith('monitoring')).map((p: Obj) => p.containerPort),
      ),
      [9090, 9092],
    );
    for (const name of ['gateway', 'encoder', 'indexer-0', 'indexer-head']) {
      const svc = find(objects, 'Service', name);
      assert.equal(svc.metadata.labels['weft/monitoring'], 'true', name);
      assert.ok(
        svc.spec.ports.some((p: Obj) => p.name === 'monitoring' && p.port === 9090),
        name,
      );
    }
    const dashboard = find(objects, 'ConfigMap', 'weft-grafana-dashboard');
    assert.equal(dashboard.metadata.labels.grafana_dashboard, '1');
    assert.equal(JSON.parse(dashboard.data['weft.json']).uid, 'weft-overview');
    const monitor = find(objects, 'ServiceMonitor', 'weft');
    assert.deepEqual(monitor.spec.selector.matchLabels, { 'weft/monitoring': 'true' });
    assert.deepEqual(monitor.spec.namespaceSelector.matchNames, ['shop']);
  });

  it('writes no monitoring objects for an unmonitored Flow', async () => {
    const objects = all(await exported({ serviceMonitor: true }));
    assert.ok(!objects.some((o) => o.kind === 'ServiceMonitor' || o.metadata.name === 'weft-grafana-dashboard'));
  });
});
