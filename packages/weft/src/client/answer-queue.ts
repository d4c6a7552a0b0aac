/**
 * AnswerQueue: answers pushed by event handlers (a socket's messages), read as an async iterable. Items pushed
 * before `end()` or `fail()` are delivered first; then iteration finishes, or throws the first failure.
 */
export class AnswerQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #head = 0;
  #finished = false;
  #error: { err: unknown } | undefined;
  #waiter: (() => void) | undefined;

  push(item: T): void {
    if (this.#finished) return;
    this.#items.push(item);
    this.#wake();
  }

  /** No more items. */
  end(): void {
    this.#finished = true;
    this.#wake();
  }

  /** No more items; iteration throws `err` once the items already queued are read. The first failure wins. */
  fail(err: unknown): void {
    if (this.#finished) return;
    this.#error = { err };
    this.#finished = true;
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#head < this.#items.length) {
        const item = this.#items[this.#head] as T;
        this.#items[this.#head++] = undefined as T;
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items.splice(0, this.#head);
          this.#head = 0;
        }
        yield item;
        continue;
      }
      if (this.#finished) {
        if (this.#error) throw this.#error.err;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }
}
