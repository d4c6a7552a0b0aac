// Executors the slow-executor and rolling-restart scenarios run in worker processes (loaded by module specifier).
import { type EndpointArgs, Executor, requests } from '@weft-ai/weft';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Block the worker's thread for `ms`, as a synchronous model call does (no CPU burnt: the box is shared), so
 * requests queue in front of the executor the way they do in front of a busy model.
 */
function work(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** `/fast`: 2 ms per request. */
export class Fast extends Executor {
  @requests({ on: '/fast' })
  fast({ docs }: EndpointArgs): void {
    work(2);
    for (const d of docs) d.tags.by = 'fast';
  }
}

/** `/slow`: 20 ms per request, ten times the rest of the Flow. */
export class Slow extends Executor {
  @requests({ on: '/slow' })
  slow({ docs }: EndpointArgs): void {
    work(20);
    for (const d of docs) d.tags.by = 'slow';
  }
}
