/**
 * SendWindow: at most `size` requests of one stream sent and not yet answered (the Client's `prefetch` on a
 * transport that would otherwise send every request at once). The sender takes a slot before each request, each
 * answer gives one back; closing the window (the stream ended) releases a sender that waits, which then stops.
 */
export class SendWindow {
  #free: number;
  #closed = false;
  #waiter: (() => void) | undefined;

  /** @example const w = new SendWindow(16); if (await w.take()) send(req); … on each answer: w.release() */
  constructor(size: number) {
    this.#free = size;
  }

  /** Wait for a free slot and take it; false once the window is closed (send nothing more). */
  async take(): Promise<boolean> {
    while (this.#free <= 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
    if (this.#closed) return false;
    this.#free--;
    return true;
  }

  /** An answer arrived: its slot is free again. */
  release(): void {
    this.#free++;
    this.#wake();
  }

  /** The stream is over: a waiting sender gets false. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }
}
