/**
 * Runs every ```sh block that calls `curl` in README.md's "HTTP API" section and in docs/guides/http.md against a
 * real Flow serving HTTP (the README's Greeter, GraphQL and CORS on), so the documented commands cannot rot; and
 * those of docs/guides/streaming.md against its Talker, whose Server-Sent Events are compared as JSON events. Each
 * block must exit 0 and print JSON; `# →` lines in a block are the part of the answer that matters, checked as a
 * subset of the JSON printed (objects by key, lists by position). The port the docs state (12345) is replaced by
 * the Flow's own.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Flow } from '@weft-ai/weft';
import { Greeter } from './fixtures/greeter.js';
import { Talker } from './fixtures/talker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DOC_PORT = '12345';

interface Example {
  where: string;
  script: string;
  expected: unknown;
}

/** The `## HTTP API` section of the README (up to the next `## ` heading). */
function readmeSection(markdown: string): { text: string; offset: number } {
  const start = markdown.indexOf('\n## HTTP API\n');
  assert.ok(start >= 0, 'README.md has no "## HTTP API" section');
  const end = markdown.indexOf('\n## ', start + 1);
  return { text: markdown.slice(start, end < 0 ? undefined : end), offset: start };
}

function curlBlocks(file: string, markdown: string, offset = 0, full = markdown): Example[] {
  const out: Example[] = [];
  const re = /^```sh\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    const script = m[1] as string;
    if (!/\bcurl\b/.test(script)) continue;
    const line = full.slice(0, offset + m.index).split('\n').length;
    const expectedText = script
      .split('\n')
      .filter((l) => l.startsWith('# →'))
      .map((l) => l.slice(3))
      .join('\n');
    let expected: unknown;
    if (expectedText.trim()) {
      try {
        expected = JSON.parse(expectedText);
      } catch (err) {
        assert.fail(`${file}:${line}: the "# →" lines are not JSON: ${(err as Error).message}`);
      }
    }
    out.push({ where: `${file}:${line}`, script, expected });
  }
  return out;
}

/** `actual` has every key of `expected` (recursively; lists compared element by element, same length or longer). */
function assertSubset(actual: unknown, expected: unknown, path = '$'): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected a list, got ${JSON.stringify(actual)}`);
    assert.ok(actual.length >= expected.length, `${path}: expected at least ${expected.length} items`);
    for (const [i, e] of expected.entries()) assertSubset(actual[i], e, `${path}[${i}]`);
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(
      typeof actual === 'object' && actual !== null,
      `${path}: expected an object, got ${JSON.stringify(actual)}`,
    );
    for (const [k, v] of Object.entries(expected))
      assertSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

const readme = await readFile(join(root, 'README.md'), 'utf8');
const section = readmeSection(readme);
const guide = await readFile(join(root, 'docs/guides/http.md'), 'utf8');
const examples = [
  ...curlBlocks('README.md', section.text, section.offset, readme),
  ...curlBlocks('docs/guides/http.md', guide),
];
/** The streaming guide's examples run against its Talker; they print Server-Sent Events, compared as JSON events. */
const streamingExamples = curlBlocks(
  'docs/guides/streaming.md',
  await readFile(join(root, 'docs/guides/streaming.md'), 'utf8'),
);

/** A `text/event-stream` body as `[{ event, data? }]` (data parsed as JSON), comment lines left out. */
function sseToJson(text: string): { event: string; data?: unknown }[] {
  return text
    .split(/\r\n\r\n|\n\n/)
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split(/\r\n|\n/);
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
      return data === undefined ? { event } : { event, data: JSON.parse(data) };
    });
}

/** Run an example's shell script against the Flow on `port` (the docs say localhost:DOC_PORT); its stdout. */
async function runExample(ex: { where: string; script: string }, port: number): Promise<string> {
  const script = ex.script.replaceAll(`localhost:${DOC_PORT}`, `localhost:${port}`);
  try {
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: root,
      timeout: 30_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; code?: number };
    assert.fail(`${ex.where} failed (exit ${e.code}):\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

describe('curl examples of the HTTP docs', () => {
  let flow: Flow;
  before(async () => {
    flow = await new Flow({ protocol: 'http', exposeGraphqlEndpoint: true, cors: true })
      .add({ uses: Greeter, name: 'greeter' })
      .start();
  });
  after(() => flow?.close());

  it('finds the examples', () => {
    assert.ok(examples.filter((e) => e.where.startsWith('README')).length >= 5, 'README has curl examples');
    assert.ok(
      examples.every((e) => e.script.includes(`localhost:${DOC_PORT}`)),
      `examples use port ${DOC_PORT}`,
    );
  });

  for (const ex of examples) {
    it(`${ex.where} answers JSON${ex.expected === undefined ? '' : ' with what the docs show'}`, async () => {
      const stdout = await runExample(ex, flow.port);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        assert.fail(`${ex.where} did not print JSON:\n${stdout}`);
      }
      if (ex.expected !== undefined) assertSubset(json, ex.expected);
    });
  }
});

describe('curl examples of the streaming guide', () => {
  let flow: Flow;
  before(async () => {
    flow = await new Flow({ protocol: 'http' }).add({ uses: Talker, name: 'talker' }).start();
  });
  after(() => flow?.close());

  it('finds the examples', () => {
    assert.ok(streamingExamples.length >= 2, 'docs/guides/streaming.md has curl examples');
    assert.ok(streamingExamples.every((e) => e.script.includes(`localhost:${DOC_PORT}`)));
  });

  for (const ex of streamingExamples) {
    it(`${ex.where} streams the events the docs show`, async () => {
      const stdout = await runExample(ex, flow.port);
      assert.ok(stdout.startsWith('event: '), `${ex.where} printed Server-Sent Events:\n${stdout}`);
      const events = sseToJson(stdout);
      assert.equal(events.at(-1)?.event, 'end', 'the stream ends with an end event');
      assert.ok(ex.expected !== undefined, `${ex.where} shows its events in "# →" lines`);
      assertSubset(events, ex.expected);
      assert.equal(events.length, (ex.expected as unknown[]).length, 'as many events as the docs show');
    });
  }
});
