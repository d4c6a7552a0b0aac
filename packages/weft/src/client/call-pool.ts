/**
 * CallPool: the gRPC Client's `jina.JinaRPC/Call` streams, kept open between `post` calls. Opening a bidi stream
 * costs more than sending a request on one (about 600 µs of client CPU and 150 µs at the gateway, measured in
 * bench/peers), so a post borrows an open stream, sends its requests and, once every request is answered, parks
 * the stream for the next post instead of ending it. Each stream serves one post at a time: a post's answers,
 * errors and cancellation stay its own, exactly as with a stream of its own (a call that fails outright fails the
 * stream it is on — the gateway's rule — and only the post using it). Concurrent posts use separate streams on the
 * same connection.
 *
 * A parked stream is ended after `idleMs` unused (an open stream keeps the process alive, so a script that never
 * calls `client.close()` still exits, that much later), and dropped from the pool as soon as it fails or the
 * gateway ends it (a gateway that restarted: the next post opens a new stream). Posts with their own headers get
 * a stream of their own, ended when they finish (gRPC metadata is per stream).
 */
import type { CallStream } from '../networking/index.js';
import type { DataRequest } from '../request/index.js';
import { AnswerQueue } from './answer-queue.js';

/** Default time a parked stream stays open unused. */
export const POOL_IDLE_MS = 250;
/** Most parked streams (more concurrent posts than this open streams of their own that are ended after use). */
export const POOL_MAX_PARKED = 128;

/** One `Call` stream, read for as long as it lives; its answers go to the post that holds it. */
export class PooledCall {
  readonly #call: CallStream;
  #queue: AnswerQueue<DataRequest> | undefined;
  #expected: number | undefined;
  #delivered = 0;
  #dead = false;
  #timer: NodeJS.Timeout | undefined;
  #whenGone: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Called once when the stream ends or fails (the pool forgets it). */
  onGone: (() => void) | undefined;

  constructor(call: CallStream) {
    this.#call = call;
    void this.#read();
  }

  /** Whether the stream can still carry requests. */
  get alive(): boolean {
    return !this.#dead;
  }

  /** Whether every request of the current post has its answer (the stream can serve another post). */
  get settled(): boolean {
    return !this.#dead && this.#expected !== undefined && this.#delivered === this.#expected;
  }

  /** Start a post: its answers are read from the returned queue. */
  begin(): AnswerQueue<DataRequest> {
    this.#queue = new AnswerQueue<DataRequest>();
    this.#expected = undefined;
    this.#delivered = 0;
    return this.#queue;
  }

  /** Queue one request (dropped once the stream is cancelled or gone); false: await `drained()`. */
  send(req: DataRequest): boolean {
    if (this.#dead) return true;
    return this.#call.send(req);
  }

  /** Resolves when the stream takes more requests, or once it is cancelled or gone (then sending is moot). */
  drained(): Promise<void> {
    if (this.#dead) return Promise.resolve();
    return Promise.race([this.#call.drained(), this.#gonePromise()]);
  }

  /** The post sent `count` requests in all: its queue ends once that many answers arrived. */
  sentAll(count: number): void {
    this.#expected = count;
    if (this.#delivered === count) this.#queue?.end();
  }

  /** No more requests on this stream: the gateway answers the pending ones and ends it. */
  end(): void {
    this.#clearTimer();
    this.#call.end();
  }

  /** Abandon the stream (its post gave up, or its input failed): the reader sees the cancellation. */
  cancel(): void {
    if (this.#dead) return;
    this.#clearTimer();
    this.#dead = true;
    this.#whenGone?.resolve();
    this.#call.cancel();
  }

  /** Parked: end the stream when it stays unused for `ms`. */
  idleFor(ms: number, onExpired: () => void): void {
    this.#clearTimer();
    this.#queue = undefined;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      onExpired();
      this.end();
    }, ms);
    this.#timer.unref();
  }

  /** Taken from the pool again. */
  wake(): void {
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #read(): Promise<void> {
    try {
      for await (const res of this.#call) {
        const q = this.#queue;
        if (!q) continue; // an answer nobody waits for any more
        this.#delivered++;
        q.push(res);
        if (this.#delivered === this.#expected) q.end();
      }
      this.#gone();
      this.#queue?.end();
    } catch (err) {
      this.#gone();
      this.#queue?.fail(err);
    }
  }

  #gonePromise(): Promise<void> {
    if (!this.#whenGone) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#whenGone = { promise, resolve };
    }
    return this.#whenGone.promise;
  }

  #gone(): void {
    this.#dead = true;
    this.#whenGone?.resolve();
    this.#clearTimer();
    const cb = this.onGone;
    this.onGone = undefined;
    cb?.();
  }
}

/** The parked streams of one transport (most recently parked first out: warm streams are reused). */
export class CallPool {
  readonly #open: () => CallStream;
  readonly #idleMs: number;
  readonly #maxParked: number;
  readonly #parked: PooledCall[] = [];
  #closed = false;

  constructor(open: () => CallStream, options: { idleMs?: number; maxParked?: number } = {}) {
    this.#open = open;
    this.#idleMs = options.idleMs ?? POOL_IDLE_MS;
    this.#maxParked = options.maxParked ?? POOL_MAX_PARKED;
  }

  /** Streams parked now. */
  get parked(): number {
    return this.#parked.length;
  }

  /** A parked stream that is still alive, else a new one. */
  take(): PooledCall {
    for (;;) {
      const c = this.#parked.pop();
      if (!c) break;
      if (!c.alive) continue;
      c.onGone = undefined;
      c.wake();
      return c;
    }
    return new PooledCall(this.#open());
  }

  /** A post is done with `c`: park it when it can serve another post, else end or cancel it. */
  release(c: PooledCall): void {
    if (!c.alive) return;
    if (!c.settled) {
      c.cancel();
      return;
    }
    if (this.#closed || this.#parked.length >= this.#maxParked) {
      c.end();
      return;
    }
    const forget = (): void => {
      const i = this.#parked.indexOf(c);
      if (i >= 0) this.#parked.splice(i, 1);
    };
    c.onGone = forget;
    c.idleFor(this.#idleMs, forget);
    this.#parked.push(c);
  }

  /** End every parked stream; later releases end theirs. */
  close(): void {
    this.#closed = true;
    for (const c of this.#parked.splice(0)) {
      c.onGone = undefined;
      c.end();
    }
  }
}
