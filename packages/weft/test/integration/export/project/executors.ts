// Test fixture: executors of the export run test, loaded in `weft executor` processes from the exported commands.
import { type EndpointArgs, Executor, type ExecutorArgs, requests } from '../../../../src/index.js';

/** `tags.stamped = true`. */
export class Stamp extends Executor {
  @requests()
  stamp({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags.stamped = true;
  }
}

/** `tags.sharded = true`, `tags.greeting` from its constructor options. */
export class Sharded extends Executor {
  readonly #greeting: string;
  constructor(options: ExecutorArgs<{ greeting: string }> = {}) {
    super(options);
    this.#greeting = options.greeting ?? 'none';
  }

  @requests()
  shard({ docs }: EndpointArgs): void {
    for (const d of docs) {
      d.tags.sharded = true;
      d.tags.greeting = this.#greeting;
    }
  }
}
