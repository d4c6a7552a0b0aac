/**
 * `@monitor`: time an Executor method into a Prometheus histogram of its own (Jina's `@monitor(name=…,
 * documentation=…)`). The decorator only publishes on `weft:executor:monitor`; when the runtime is monitored its
 * Prometheus bridge observes the duration, and otherwise the method runs as it would undecorated (one check).
 */
import { BadArgumentError } from '../../errors/index.js';
import { channels } from '../events.js';

export interface MonitorOptions {
  /** The metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), e.g. `encode_preprocess_seconds`. */
  name: string;
  /** Its help text. */
  documentation?: string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Time a method (sync or async) into the histogram `name` (seconds), labelled with the executor and runtime.
 * @example
 * class Encoder extends Executor {
 *   @monitor({ name: 'preprocess_seconds', documentation: 'Time spent preprocessing' })
 *   preprocess(docs: DocumentArray) { … }
 * }
 */
export function monitor(options: MonitorOptions) {
  if (!options || typeof options.name !== 'string' || !METRIC_NAME.test(options.name)) {
    throw new BadArgumentError(
      `@monitor({ name }) takes a Prometheus metric name such as 'preprocess_seconds', got ${JSON.stringify(options?.name)}`,
    );
  }
  const name = options.name;
  const documentation = options.documentation ?? `Time of ${name}`;
  return <This, Args extends unknown[], R>(
    method: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): ((this: This, ...args: Args) => R) => {
    if (context.kind !== 'method') throw new BadArgumentError('@monitor decorates methods');
    return function (this: This, ...args: Args): R {
      if (!channels.monitorObserved.hasSubscribers) return method.apply(this, args);
      const startedAt = performance.now();
      const executor = (this as { metas?: { name?: unknown } } | undefined)?.metas?.name;
      const done = (): void => {
        channels.monitorObserved.publish({
          name,
          documentation,
          executor: typeof executor === 'string' ? executor : undefined,
          durationMs: performance.now() - startedAt,
        });
      };
      let result: R;
      try {
        result = method.apply(this, args);
      } catch (err) {
        done();
        throw err;
      }
      if (result instanceof Promise) return result.finally(done) as R;
      done();
      return result;
    };
  };
}
