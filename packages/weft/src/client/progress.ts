/**
 * The Client's progress bar: while a `post` sends more than one request to a terminal, one line on stderr shows
 * requests answered (of the total when it is known), documents per second and errors, redrawn in place with
 * plain ANSI (`\r` + erase line); a final line stays when the post ends. Silent when stderr is not a TTY, when
 * disabled (`showProgress: false`), and for a single request. `renderProgress` is the pure formatting part.
 */

/** Where the bar is drawn: a writable with TTY facts (process.stderr). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressState {
  /** Requests answered so far (successes and errors). */
  done: number;
  /** Requests sent so far. */
  sent: number;
  /** Requests in all, when known in advance (array inputs). */
  total?: number;
  /** Documents in the answers so far. */
  docs: number;
  /** Answers carrying an executor error. */
  errors: number;
  elapsedMs: number;
}

export interface ProgressOptions {
  /** False disables the bar; undefined or true shows it on a TTY. */
  enabled?: boolean;
  /** Default: process.stderr. */
  stream?: ProgressStream;
  /** Requests in all, when known. */
  total?: number;
  /** Redraw period while nothing happens (ms); default 200. */
  refreshMs?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
}

const BAR_WIDTH = 24;
const CLEAR_LINE = '\r\x1b[2K';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/**
 * One line of progress, at most `width` characters of visible text.
 * @example renderProgress({ done: 3, sent: 4, total: 10, docs: 300, errors: 0, elapsedMs: 1500 })
 * // '[███████░░░░░░░░░░░░░░░░░]  30% 3/10 requests | 300 docs | 200 docs/s | 0 errors | 1.5s'
 */
export function renderProgress(state: ProgressState, width = 80, color = false): string {
  const rate = state.elapsedMs > 0 ? (state.docs * 1000) / state.elapsedMs : 0;
  const parts: string[] = [];
  if (state.total !== undefined && state.total > 0) {
    const ratio = Math.min(1, state.done / state.total);
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(
      `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`,
    );
    parts.push(`${state.done}/${state.total} requests`);
  } else {
    parts.push(`${state.done}/${state.sent} requests`);
  }
  const errors = `${state.errors} ${state.errors === 1 ? 'error' : 'errors'}`;
  const tail = [
    `${state.docs} docs`,
    `${formatRate(rate)} docs/s`,
    color && state.errors > 0 ? `${RED}${errors}${RESET}` : errors,
    `${(state.elapsedMs / 1000).toFixed(1)}s`,
  ];
  let line = `${parts.join(' ')} | ${tail.join(' | ')}`;
  const visible = (s: string): number => s.replaceAll(RED, '').replaceAll(RESET, '').length;
  // drop the least useful fields first on narrow terminals
  for (const drop of [3, 0]) {
    if (visible(line) <= width) break;
    tail.splice(drop, 1);
    line = `${parts.join(' ')} | ${tail.join(' | ')}`;
  }
  if (visible(line) > width && parts.length > 1) line = `${parts.slice(1).join(' ')} | ${tail.join(' | ')}`;
  return line;
}

function formatRate(rate: number): string {
  if (rate >= 100) return String(Math.round(rate));
  if (rate >= 10) return rate.toFixed(1);
  return rate.toFixed(2);
}

/** Tracks one post and draws it; every method is a no-op when the bar is off. */
export class ProgressBar {
  /** Whether anything will ever be drawn (a TTY and not disabled). */
  readonly enabled: boolean;
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #refreshMs: number;
  readonly #state: ProgressState;
  #start: number;
  #visible = false;
  #timer: NodeJS.Timeout | undefined;
  #lastDraw = 0;

  constructor(options: ProgressOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.enabled = options.enabled !== false && this.#stream.isTTY === true;
    this.#now = options.now ?? (() => performance.now());
    this.#refreshMs = options.refreshMs ?? 200;
    this.#start = this.#now();
    this.#state = {
      done: 0,
      sent: 0,
      docs: 0,
      errors: 0,
      elapsedMs: 0,
      ...(options.total !== undefined ? { total: options.total } : {}),
    };
  }

  /** A request went out; the bar appears with the second one. */
  sent(): void {
    if (!this.enabled) return;
    this.#state.sent++;
    if (!this.#visible && this.#state.sent > 1) {
      this.#visible = true;
      this.#timer = setInterval(() => this.#draw(), this.#refreshMs);
      this.#timer.unref();
      this.#draw();
    }
  }

  /** An answer arrived with `docs` documents (counted only when drawing). */
  answered(docs: () => number, isError: boolean): void {
    if (!this.enabled) return;
    this.#state.done++;
    this.#state.docs += docs();
    if (isError) this.#state.errors++;
    if (this.#visible && this.#now() - this.#lastDraw >= 50) this.#draw();
  }

  /** Start over (the Client retries a post from scratch). */
  reset(): void {
    Object.assign(this.#state, { done: 0, sent: 0, docs: 0, errors: 0 });
    this.#start = this.#now();
  }

  /** Draw the final line and leave it. */
  finish(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.#visible) return;
    this.#draw();
    this.#stream.write('\n');
    this.#visible = false;
  }

  #draw(): void {
    this.#lastDraw = this.#now();
    this.#state.elapsedMs = this.#lastDraw - this.#start;
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1);
    this.#stream.write(`${CLEAR_LINE}${renderProgress(this.#state, width, true)}`);
  }
}
