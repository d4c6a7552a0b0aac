/**
 * What an export carries of a Flow's auth, internal TLS, monitoring and tracing (the secured golden Flow), for
 * both formats: golden files, schema-valid, and never the token itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { GOLDEN_OPTIONS, GOLDEN_OUT, GOLDEN_TOKEN, securedGoldenFlow } from '../../test/golden/export/test-flow.js';
import { composeSchemaErrors, validateKubernetesObject } from '../../test/golden/export/validate.js';
import { assertGolden } from '../../test/golden/golden.js';
import { exportFlow } from './index.js';

type Obj = Record<string, any>;

describe('weft export: auth, internal TLS, monitoring and tracing', () => {
  it('kubernetes: the token from the weft-auth Secret, TLS from the weft-internal-tls Secret, golden and valid', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'weft-k8s-secured-')), 'k8s');
    await exportFlow('kubernetes', securedGoldenFlow(), dir, {
      ...GOLDEN_OPTIONS,
      namespace: 'shop',
      serviceMonitor: true,
    });
    const objects: Obj[] = [];
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      assertGolden(join(GOLDEN_OUT, 'kubernetes-secured', f), text);
      assert.ok(!text.includes(GOLDEN_TOKEN), `${f} holds the token`);
      objects.push(...parseAllDocuments(text).map((d) => d.toJS() as Obj));
    }
    for (const o of objects) if (o.kind !== 'ServiceMonitor') validateKubernetesObject(o);
    assert.ok(!objects.some((o) => o.kind === 'Secret'), 'the export writes no Secret (their values are yours)');
    const pods = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    const gateway = pods.find((o) => o.metadata.name === 'gateway')?.spec.template.spec;
    const g = gateway.containers[0];
    assert.deepEqual(
      g.env.find((e: Obj) => e.name === 'WEFT_AUTH_TOKEN'),
      { name: 'WEFT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'weft-auth', key: 'tokens' } } },
    );
    assert.equal(g.args[g.args.indexOf('--auth') + 1], '{"token_env":"WEFT_AUTH_TOKEN"}');
    assert.equal(g.args[g.args.indexOf('--internal-tls') + 1], '{"cafile":"/weft/tls/ca.crt"}');
    // every weft container (executors, heads, sidecars, the gateway) has the TLS Secret mounted and is told so
    for (const pod of pods) {
      const spec = pod.spec.template.spec;
      assert.ok(
        spec.volumes.some((v: Obj) => v.secret?.secretName === 'weft-internal-tls'),
        `${pod.metadata.name} mounts the TLS Secret`,
      );
      for (const c of spec.containers) {
        assert.ok(
          c.volumeMounts.some((m: Obj) => m.mountPath === '/weft/tls' && m.readOnly),
          c.name,
        );
        assert.ok(c.args.includes('--internal-tls'), `${pod.metadata.name}/${c.name} has --internal-tls`);
        // a TLS port cannot be probed with weft ping: a TCP probe (the gateway's client port stays plain)
        if (c.name !== 'gateway') assert.deepEqual(c.readinessProbe.tcpSocket, { port: c.ports[0].containerPort });
        assert.ok(c.args.includes('--monitoring'), `${pod.metadata.name}/${c.name} is monitored`);
      }
    }
    // tracing travels as the runtimes' environment, from each workload's ConfigMap
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-configmap'))) {
      assert.equal(cm.data.WEFT_TRACING, '1', cm.metadata.name);
      assert.equal(cm.data.WEFT_TRACES_EXPORTER_HOST, 'otel-collector.observability.svc', cm.metadata.name);
    }
    assert.ok(objects.some((o) => o.kind === 'ServiceMonitor'));
  });

  it('docker-compose: the token from compose’s environment, TLS as compose secrets, golden and valid', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'weft-compose-secured-')), 'docker-compose.yml');
    await exportFlow('docker-compose', securedGoldenFlow(), target, GOLDEN_OPTIONS);
    const text = readFileSync(target, 'utf8');
    assertGolden(join(GOLDEN_OUT, 'docker-compose-secured.yml'), text);
    assert.ok(!text.includes(GOLDEN_TOKEN), 'the compose file holds the token');
    const file = parse(text) as Obj;
    assert.deepEqual(composeSchemaErrors(file), []);
    const gateway = file.services.gateway;
    assert.equal(
      gateway.environment.WEFT_AUTH_TOKEN,
      "${WEFT_AUTH_TOKEN:?set WEFT_AUTH_TOKEN to the gateway's token(s)}",
    );
    assert.ok(gateway.command.includes('--auth'));
    assert.deepEqual(gateway.secrets, ['weft-tls-ca']);
    assert.deepEqual(file.secrets, {
      'weft-tls-cert': { file: './tls/tls.crt' },
      'weft-tls-key': { file: './tls/tls.key' },
      'weft-tls-ca': { file: './tls/ca.crt' },
    });
    for (const [name, s] of Object.entries(file.services as Record<string, Obj>)) {
      assert.ok(s.command.includes('--internal-tls'), name);
      assert.ok(s.command.includes('--monitoring'), name);
      assert.ok(s.expose.includes('9090'), name);
      if (name === 'gateway') continue;
      assert.deepEqual(s.secrets, ['weft-tls-cert', 'weft-tls-key', 'weft-tls-ca'], name);
      assert.equal(s.healthcheck.test[1], 'node', `${name}: a TCP check, not weft ping`);
      if (!name.endsWith('-head')) assert.equal(s.environment.WEFT_TRACING, '1', name);
    }
  });
});
