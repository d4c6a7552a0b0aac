import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressBar, type ProgressStream, renderProgress } from './progress.js';

const ESC = '\x1b';
const CLEAR = `\r${ESC}[2K`;
const RED = `${ESC}[31m`;
const RESET = `${ESC}[0m`;

function fakeStream(isTTY: boolean, columns = 120): ProgressStream & { out: string } {
  const s = {
    isTTY,
    columns,
    out: '',
    write(chunk: string) {
      s.out += chunk;
      return true;
    },
  };
  return s;
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('renderProgress', () => {
  it('shows a bar, requests of the total, docs, docs/s, errors and elapsed time', () => {
    const line = renderProgress({ done: 3, sent: 4, total: 10, docs: 300, errors: 0, elapsedMs: 1500 }, 120);
    assert.equal(
      line,
      `[${'█'.repeat(7)}${'░'.repeat(17)}]  30% 3/10 requests | 300 docs | 200 docs/s | 0 errors | 1.5s`,
    );
  });

  it('counts against requests sent when the total is unknown', () => {
    const line = renderProgress({ done: 2, sent: 5, docs: 7, errors: 1, elapsedMs: 2000 });
    assert.equal(line, '2/5 requests | 7 docs | 3.50 docs/s | 1 error | 2.0s');
  });

  it('colours errors only when asked and when there are some', () => {
    const state = { done: 2, sent: 2, docs: 2, errors: 2, elapsedMs: 1000 };
    assert.ok(renderProgress(state, 80, true).includes(`${RED}2 errors${RESET}`));
    assert.ok(!renderProgress(state, 80, false).includes(ESC));
    assert.ok(!renderProgress({ ...state, errors: 0 }, 80, true).includes(ESC));
  });

  it('drops fields to fit a narrow terminal, keeping requests, docs/s and errors', () => {
    const state = { done: 40, sent: 50, total: 100, docs: 4000, errors: 3, elapsedMs: 4000 };
    const narrow = renderProgress(state, 50);
    assert.ok(narrow.length <= 50, narrow);
    assert.match(narrow, /40\/100 requests/);
    assert.match(narrow, /1000 docs\/s/);
    assert.match(narrow, /3 errors/);
  });
});

describe('ProgressBar', () => {
  it('draws in place on a TTY once a second request is sent, and leaves a final line', () => {
    const s = fakeStream(true);
    const c = clock();
    const bar = new ProgressBar({ stream: s, total: 3, now: c.now, refreshMs: 60_000 });
    assert.equal(bar.enabled, true);
    bar.sent();
    assert.equal(s.out, '', 'nothing for the first request');
    bar.sent();
    assert.ok(s.out.startsWith(`${CLEAR}[${'░'.repeat(24)}]   0% 0/3 requests`), s.out);
    c.advance(500);
    bar.answered(() => 100, false);
    bar.sent();
    c.advance(500);
    bar.answered(() => 100, true);
    bar.answered(() => 100, false);
    bar.finish();
    const lines = s.out.split(CLEAR).filter(Boolean);
    const last = lines.at(-1) as string;
    assert.ok(last.endsWith('\n'));
    assert.ok(last.endsWith(`100% 3/3 requests | 300 docs | 300 docs/s | ${RED}1 error${RESET} | 1.0s\n`), last);
  });

  it('is silent for a single request', () => {
    const s = fakeStream(true);
    const bar = new ProgressBar({ stream: s });
    bar.sent();
    bar.answered(() => 5, false);
    bar.finish();
    assert.equal(s.out, '');
  });

  it('is silent when the stream is not a TTY, and never asks for the documents', () => {
    const s = fakeStream(false);
    const bar = new ProgressBar({ stream: s, total: 4 });
    assert.equal(bar.enabled, false);
    for (let i = 0; i < 4; i++) bar.sent();
    for (let i = 0; i < 4; i++)
      bar.answered(() => {
        throw new Error('documents counted while not drawing');
      }, false);
    bar.finish();
    assert.equal(s.out, '');
  });

  it('is silent when disabled, even on a TTY', () => {
    const s = fakeStream(true);
    const bar = new ProgressBar({ stream: s, enabled: false });
    bar.sent();
    bar.sent();
    bar.finish();
    assert.equal(s.out, '');
  });

  it('starts over on reset (a retried post)', () => {
    const s = fakeStream(true);
    const c = clock();
    const bar = new ProgressBar({ stream: s, now: c.now, refreshMs: 60_000 });
    bar.sent();
    bar.sent();
    bar.answered(() => 10, true);
    bar.reset();
    bar.sent();
    bar.sent();
    c.advance(1000);
    bar.answered(() => 1, false);
    bar.answered(() => 1, false);
    bar.finish();
    assert.match(s.out, /2\/2 requests \| 2 docs \| 2\.00 docs\/s \| 0 errors \| 1\.0s\n$/);
  });
});
