// `weft export …` through the command line: what it writes, its exit codes and messages.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GOLDEN_FLOW } from '../../test/golden/export/test-flow.js';
import { runCli } from '../cli/index.js';

async function weft(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('weft export (command line)', () => {
  it('writes Kubernetes manifests into a namespace, a compose file and flowcharts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-export-cli-'));
    const k8s = await weft(
      'export',
      'kubernetes',
      GOLDEN_FLOW,
      join(dir, 'k8s'),
      '--k8s-namespace',
      'shop',
      '--autoscale',
    );
    assert.equal(k8s.code, 0, k8s.err);
    assert.match(k8s.err, /wrote .*k8s\/gateway\.yml/);
    assert.match(readFileSync(join(dir, 'k8s', 'gateway.yml'), 'utf8'), /namespace: shop/);
    assert.match(readFileSync(join(dir, 'k8s', 'encoder.yml'), 'utf8'), /kind: HorizontalPodAutoscaler/);
    const compose = await weft('export', 'docker-compose', GOLDEN_FLOW, join(dir, 'dc.yml'), '--image', 'my/exec:2');
    assert.equal(compose.code, 0, compose.err);
    assert.match(readFileSync(join(dir, 'dc.yml'), 'utf8'), /image: my\/exec:2/);
    for (const f of ['flow.svg', 'flow.md'])
      assert.equal((await weft('export', 'flowchart', GOLDEN_FLOW, join(dir, f))).code, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['dc.yml', 'flow.md', 'flow.svg', 'k8s']);
  });

  it('prints the schema on stdout', async () => {
    const r = await weft('export', 'schema');
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.out).title, 'weft YAML (Flow or executor)');
  });

  it('exits 1 with the error code on bad input, 2 on a usage mistake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-export-cli-'));
    writeFileSync(join(dir, 'flow.yml'), 'jtype: Flow\nexecutors:\n  - uses: Nope\n');
    const bad = await weft('export', 'kubernetes', join(dir, 'flow.yml'), join(dir, 'k8s'));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^weft export kubernetes: WEFT_EXECUTOR_LOAD: executor 'executor0': unknown executor 'Nope'/);
    for (const [argv, message] of [
      [['export'], /say what to export/],
      [
        ['export', 'helm', 'f.yml', 'out'],
        /say what to export: kubernetes, docker-compose, flowchart, schema \(got 'helm'\)/,
      ],
      [['export', 'kubernetes', 'f.yml'], /needs <flow\.yml> and an output folder/],
      [['export', 'docker-compose', 'f.yml', 'dc.yml', '--k8s-namespace', 'x'], /are for weft export kubernetes/],
    ] as const) {
      const r = await weft(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, message);
    }
    assert.deepEqual(readdirSync(dir), ['flow.yml']);
  });
});
