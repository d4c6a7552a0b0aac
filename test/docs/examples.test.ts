/**
 * Runs every ```ts code block of README.md and docs/**\/*.md as its own program, so the docs cannot rot.
 * Blocks import '@weft-ai/weft' like a user would; each runs in a fresh process from a file inside the repository.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = join(root, '.cache', 'doc-examples');

async function markdownFiles(): Promise<string[]> {
  const out = [join(root, 'README.md')];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  await walk(join(root, 'docs'));
  return out;
}

function blocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ code: m[1] as string, line: markdown.slice(0, m.index).split('\n').length });
  }
  return out;
}

after(() => rm(scratch, { recursive: true, force: true }));

const files = await markdownFiles();
for (const file of files) {
  const rel = relative(root, file);
  const found = blocks(await readFile(file, 'utf8'));
  describe(`examples in ${rel}`, () => {
    for (const { code, line } of found) {
      it(`${rel}:${line} runs`, async () => {
        await mkdir(scratch, { recursive: true });
        const path = join(scratch, `${rel.replaceAll('/', '_')}-${line}.ts`);
        await writeFile(path, code);
        try {
          await promisify(execFile)(process.execPath, ['--conditions=weft-source', '--import', 'tsx', path], {
            cwd: root,
            timeout: 60_000,
          });
        } catch (err) {
          const e = err as { stderr?: string; stdout?: string };
          assert.fail(`${rel}:${line} failed:\n${e.stderr ?? ''}${e.stdout ?? ''}`);
        }
      });
    }
  });
}
