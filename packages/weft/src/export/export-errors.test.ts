// Bad input to an export: each is a coded error naming the problem, and nothing half-written is left behind.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment, Executor, Flow, WeftError } from '../index.js';
import { exportFlow } from './index.js';

function project(flowYaml: string, files: Record<string, string> = {}): { dir: string; flow: string } {
  const dir = mkdtempSync(join(tmpdir(), 'weft-export-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  writeFileSync(join(dir, 'flow.yml'), flowYaml);
  return { dir, flow: join(dir, 'flow.yml') };
}

const flowWith = (executor: string): string => `jtype: Flow\nexecutors:\n  - name: a\n${executor}\n`;

async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof WeftError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

/** Nothing but `keep` in the folder: no target, no temporary output beside it. */
function onlyThere(dir: string, keep: string[]): void {
  assert.deepEqual(readdirSync(dir).sort(), [...keep].sort());
}

describe('export errors', () => {
  it('an invalid Flow YAML: WEFT_CONFIG naming file, line and key', async () => {
    const p = project(flowWith('    uses: BaseExecutor\n    replicas: lots'));
    for (const format of ['kubernetes', 'docker-compose', 'flowchart']) {
      const target = join(p.dir, format === 'kubernetes' ? 'k8s' : format === 'flowchart' ? 'f.svg' : 'dc.yml');
      await rejectsWith(exportFlow(format, p.flow, target), 'WEFT_CONFIG', /flow\.yml:\d+:\d+: executors\.0\.replicas/);
    }
    onlyThere(p.dir, ['flow.yml']);
  });

  it('an executor that cannot be resolved: WEFT_EXECUTOR_LOAD naming it', async () => {
    const unknown = project(flowWith('    uses: NoSuchExecutor'));
    await rejectsWith(
      exportFlow('kubernetes', unknown.flow, join(unknown.dir, 'k8s')),
      'WEFT_EXECUTOR_LOAD',
      /executor 'a': unknown executor 'NoSuchExecutor'/,
    );
    const missing = project(flowWith('    uses: ./gone.ts#Gone'));
    await rejectsWith(
      exportFlow('docker-compose', missing.flow, join(missing.dir, 'dc.yml')),
      'WEFT_EXECUTOR_LOAD',
      /executor 'a': '\.\/gone\.ts' does not exist/,
    );
    onlyThere(unknown.dir, ['flow.yml']);
    onlyThere(missing.dir, ['flow.yml']);
  });

  it('an output folder that already holds other files: WEFT_EXPORT_TARGET, the folder untouched', async () => {
    const p = project(flowWith('    uses: BaseExecutor'));
    const out = join(p.dir, 'k8s');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await rejectsWith(
      exportFlow('kubernetes', p.flow, out),
      'WEFT_EXPORT_TARGET',
      /already holds other files \(notes\.txt\)/,
    );
    assert.deepEqual(readdirSync(out), ['notes.txt']);
    // a compose file that weft did not write is not overwritten either
    writeFileSync(join(p.dir, 'docker-compose.yml'), 'services: {}\n');
    await rejectsWith(
      exportFlow('docker-compose', p.flow, join(p.dir, 'docker-compose.yml')),
      'WEFT_EXPORT_TARGET',
      /was not written by weft export/,
    );
    assert.equal(readFileSync(join(p.dir, 'docker-compose.yml'), 'utf8'), 'services: {}\n');
    onlyThere(p.dir, ['docker-compose.yml', 'flow.yml', 'k8s']);
  });

  it('an earlier export is replaced as a whole', async () => {
    const p = project(flowWith('    uses: BaseExecutor'));
    const out = join(p.dir, 'k8s');
    await exportFlow('kubernetes', p.flow, out);
    writeFileSync(p.flow, `${flowWith('    uses: BaseExecutor').replace('name: a', 'name: b')}`);
    await exportFlow('kubernetes', p.flow, out);
    assert.deepEqual(readdirSync(out).sort(), ['b.yml', 'gateway.yml']);
    onlyThere(p.dir, ['flow.yml', 'k8s']);
  });

  it('a uses that cannot be containerized: WEFT_NOT_CONTAINERIZABLE saying what to write instead', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'weft-outside-'));
    writeFileSync(join(outside, 'x.ts'), 'export {};\n');
    const abs = project(flowWith(`    uses: ${join(outside, 'x.ts')}#X`));
    await rejectsWith(
      exportFlow('kubernetes', abs.flow, join(abs.dir, 'k8s')),
      'WEFT_NOT_CONTAINERIZABLE',
      /lies outside the project folder .*docker:\/\/image:tag/,
    );
    onlyThere(abs.dir, ['flow.yml']);
    class InCode extends Executor {}
    const flow = new Flow().add({ name: 'inline', uses: InCode });
    const dir = mkdtempSync(join(tmpdir(), 'weft-export-'));
    await rejectsWith(
      flow.toKubernetesYaml(join(dir, 'k8s')),
      'WEFT_NOT_CONTAINERIZABLE',
      /executor 'inline' uses a class defined in code \(InCode\).*'\.\/file\.ts#ClassName'/,
    );
    onlyThere(dir, []);
  });

  it('a write that fails midway leaves neither the target nor temporary output', async () => {
    const p = project(flowWith('    uses: BaseExecutor'));
    writeFileSync(join(p.dir, 'blocker'), 'a file where a folder is needed');
    await assert.rejects(exportFlow('kubernetes', p.flow, join(p.dir, 'blocker', 'k8s')));
    onlyThere(p.dir, ['blocker', 'flow.yml']);
    assert.equal(existsSync(join(p.dir, 'blocker', 'k8s')), false);
  });
});

describe('docker:// executors in a local Flow', () => {
  it('fail fast, before any process starts, saying how to run the Flow', async () => {
    const flow = new Flow().add({ name: 'ranker', uses: 'docker://registry.example.com/ranker:1.2' });
    await rejectsWith(
      flow.start(),
      'WEFT_CONTAINER_REQUIRED',
      /executor 'ranker' is the container image registry\.example\.com\/ranker:1\.2.*--container podman.*weft export docker-compose.*weft export kubernetes/,
    );
    assert.deepEqual(flow.pids(), []);
    await flow.close();
  });

  it('fail fast in a Deployment too', async () => {
    const dep = new Deployment({ name: 'ranker', uses: 'docker://registry.example.com/ranker:1.2' });
    await rejectsWith(dep.start(), 'WEFT_CONTAINER_REQUIRED', /--container podman/);
    await dep.close();
  });

  it('export as that image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-export-'));
    const flow = new Flow().add({ name: 'ranker', uses: 'docker://registry.example.com/ranker:1.2' });
    const file = await flow.toDockerCompose(join(dir, 'docker-compose.yml'));
    assert.match(readFileSync(file, 'utf8'), /image: registry\.example\.com\/ranker:1\.2/);
    const files = await flow.toKubernetesYaml(join(dir, 'k8s'));
    assert.match(
      readFileSync(files.find((f) => f.endsWith('ranker.yml')) as string, 'utf8'),
      /image: registry\.example\.com\/ranker:1\.2/,
    );
  });
});
