/**
 * A head's `stream_doc`: one document to a streaming endpoint of a sharded deployment, fanned out by polling like
 * every other request of the head.
 * - **ANY**: one shard streams, picked round robin; a shard with no live replica before its first answer is left
 *   for the next one (as ordinary requests do); once answers flowed, a failure ends the stream.
 * - **ALL**: every shard streams at once and their answers are **interleaved in arrival order** (each shard's own
 *   answers keep their order; nothing is reduced, a stream has no whole answer to reduce by id). An in-band error
 *   answer of any shard is passed on as the last answer and stops the other shards, as an error of any shard fails
 *   an ordinary ALL request. A shard that fails (a transport error) is left out and logged while another one
 *   streams to its end; only when no shard does is the stream failed.
 * - `uses_before` runs first, on the document as an ordinary request (an error of it is the one answer);
 *   `uses_after` is not applied to streams: it reduces whole answers, and a stream has none.
 * Cancelling (the caller's `signal`, or ending the iteration) cancels every shard's call, which stops the
 * endpoints' generators.
 */
import { DocumentArray } from '../../document/index.js';
import { UnavailableError } from '../../errors/index.js';
import type { SendOptions } from '../../networking/index.js';
import { DataRequest, type SingleDocumentRequest } from '../../request/index.js';
import type { HeadTarget } from './head-handler.js';
import type { PollingMode } from './polling.js';

/** One shard that could not serve, by shard index. */
export interface ShardFailure {
  shard: number;
  error: Error;
}

/** How one stream is fanned out (built by `HeadHandler.streamDoc`). */
export interface ShardStreamPlan {
  deployment: string;
  shards: readonly HeadTarget[];
  mode: PollingMode;
  /** The shard tried first under ANY. */
  start: number;
  usesBefore?: HeadTarget;
  /** The error when no shard could serve. */
  allFailed(failures: readonly ShardFailure[]): Error;
  log?: (message: string) => void;
}

export type StreamOptions = SendOptions & { signal?: AbortSignal };

/** The answers of the shards to `req` (see the module comment). */
export async function* streamFromShards(
  plan: ShardStreamPlan,
  req: SingleDocumentRequest,
  options: StreamOptions,
): AsyncGenerator<SingleDocumentRequest> {
  let input = req;
  if (plan.usesBefore) {
    const before = await plan.usesBefore.send(
      new DataRequest({
        header: { ...req.header },
        parameters: req.parameters,
        routes: req.routes,
        docs: DocumentArray.wrap(req.document ? [req.document] : []),
      }),
      options,
    );
    if (before.isError) {
      yield { header: before.header, parameters: before.parameters, routes: before.routes };
      return;
    }
    const [document] = before.docs;
    if (!document) return;
    input = { ...req, routes: before.routes, document };
  }
  if (plan.mode === 'ANY') yield* anyShard(plan, input, options);
  else yield* allShards(plan, input, options);
}

async function* anyShard(
  plan: ShardStreamPlan,
  req: SingleDocumentRequest,
  options: StreamOptions,
): AsyncGenerator<SingleDocumentRequest> {
  const n = plan.shards.length;
  const failures: ShardFailure[] = [];
  for (let k = 0; k < n && !options.signal?.aborted; k++) {
    const shard = (plan.start + k) % n;
    let answered = false;
    try {
      for await (const answer of (plan.shards[shard] as HeadTarget).streamDoc(req, options)) {
        answered = true;
        yield answer;
      }
      return;
    } catch (err) {
      if (answered || !(err instanceof UnavailableError)) throw err;
      failures.push({ shard, error: err });
    }
  }
  if (failures.length > 0) throw plan.allFailed(failures);
}

type Step =
  | { shard: number; kind: 'answer'; answer: SingleDocumentRequest }
  | { shard: number; kind: 'done' }
  | { shard: number; kind: 'failed'; error: Error };

async function* allShards(
  plan: ShardStreamPlan,
  req: SingleDocumentRequest,
  options: StreamOptions,
): AsyncGenerator<SingleDocumentRequest> {
  const abort = new AbortController();
  const stop = (): void => abort.abort(options.signal?.reason);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const streams = plan.shards.map((s) =>
    s.streamDoc(req, { ...options, signal: abort.signal })[Symbol.asyncIterator](),
  );
  const pull = (shard: number): Promise<Step> =>
    (streams[shard] as AsyncIterator<SingleDocumentRequest>).next().then(
      (r): Step => (r.done ? { shard, kind: 'done' } : { shard, kind: 'answer', answer: r.value }),
      (error: unknown): Step => ({ shard, kind: 'failed', error: error as Error }),
    );
  const pending = new Map(streams.map((_, shard) => [shard, pull(shard)]));
  const failures: ShardFailure[] = [];
  let finished = 0;
  try {
    while (pending.size > 0) {
      const step = await Promise.race(pending.values());
      if (step.kind === 'failed') {
        pending.delete(step.shard);
        failures.push({ shard: step.shard, error: step.error });
        continue;
      }
      if (step.kind === 'done') {
        pending.delete(step.shard);
        finished++;
        continue;
      }
      yield step.answer;
      if ((step.answer.header.status?.code ?? 0) !== 0) return;
      // to the back of the race, so that shards with answers ready take turns
      pending.delete(step.shard);
      pending.set(step.shard, pull(step.shard));
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    abort.abort();
    for (const s of streams) void s.return?.().catch(() => undefined);
  }
  if (options.signal?.aborted) return;
  if (finished === 0) throw plan.allFailed(failures);
  if (failures.length > 0) {
    const which = failures.map((f) => `shard ${f.shard}: ${f.error.message}`);
    plan.log?.(
      `${failures.length} of ${plan.shards.length} shards of '${plan.deployment}' failed to stream; streamed from the others (${which.join('; ')})`,
    );
  }
}
