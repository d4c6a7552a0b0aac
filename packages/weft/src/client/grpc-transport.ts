/**
 * The gRPC client transport: every request of a `post` over one `jina.JinaRPC/Call` bidirectional stream, kept
 * open for the next post (`call-pool.ts`); `streamDoc` over `jina.JinaSingleDocumentRequestRPC/stream_doc`.
 */
import { credentials } from '@grpc/grpc-js';
import { type Status, StatusCode } from '../errors/index.js';
import { type CallOptions, formatHostPort, RuntimeClient } from '../networking/index.js';
import type { DataRequest, JinaInfo, SingleDocumentRequest } from '../request/index.js';
import { CallPool, PooledCall } from './call-pool.js';
import { SendWindow } from './send-window.js';
import { caBundle, explainConnectionFailure, type TlsContext } from './tls.js';
import type { StreamCallOptions, Transport, TransportTarget } from './transport.js';

/** Requests unanswered per `stream` when the caller sets no `prefetch` (the gateway's own default). */
export const DEFAULT_GRPC_PREFETCH = 1000;

/**
 * The HTTP/2 flow-control window the Client gives the gateway's answers, per stream and for the connection:
 * HTTP/2's default 64 KB holds three 20 KB answers, so with more in flight the gateway would wait for a window
 * update from the Client every few answers.
 */
const ANSWER_WINDOW = { 'grpc-node.flow_control_window': 4 * 1024 * 1024 } as const;

export class GrpcTransport implements Transport {
  readonly protocol = 'grpc';
  readonly #client: RuntimeClient;
  readonly #tls: TlsContext;
  readonly #headers: Readonly<Record<string, string>> | undefined;
  readonly #pool: CallPool;

  /** `pool`: how long a parked stream stays open unused and how many are kept (`call-pool.ts`). */
  constructor(target: TransportTarget, pool: { idleMs?: number; maxParked?: number } = {}) {
    this.#headers = target.headers;
    const address = formatHostPort(target.host, target.port);
    this.#tls = { tls: target.tls, url: `${target.tls ? 'grpcs' : 'grpc'}://${address}`, schemes: ['grpc', 'grpcs'] };
    const servername = target.tlsOptions?.servername;
    this.#client = new RuntimeClient(address, {
      name: 'gateway',
      ...(target.tls ? { credentials: credentials.createSsl(caBundle(target.tlsOptions)) } : {}),
      channelOptions: {
        ...ANSWER_WINDOW,
        ...(target.tls && servername
          ? { 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': servername }
          : {}),
      },
    });
    this.#pool = new CallPool(() => this.#client.call(this.#callOptions({})), pool);
  }

  /** `Call` streams kept open for the next post (see `call-pool.ts`). */
  get parkedStreams(): number {
    return this.#pool.parked;
  }

  async *stream(requests: AsyncIterable<DataRequest>, options: StreamCallOptions): AsyncIterable<DataRequest> {
    // a post with headers of its own needs a stream of its own (gRPC metadata is per stream)
    const own = options.headers !== undefined && Object.keys(options.headers).length > 0;
    const call = own ? new PooledCall(this.#client.call(this.#callOptions(options))) : this.#pool.take();
    const answers = call.begin();
    // the Client aborts a post whose request ran over its timeout (while this generator waits for an answer); any
    // other way of leaving ends here, in `finally`, where a stream with answers still due is cancelled
    const signal = options.timeoutMs !== undefined ? options.signal : undefined;
    const abort = (): void => call.cancel();
    signal?.addEventListener('abort', abort, { once: true });
    let feedError: unknown;
    // the Client's prefetch: at most that many requests unanswered. Without a bound, grpc-js takes requests faster
    // than HTTP/2 flow control lets them out, and a sender that never has to wait starves this process's event loop
    const window = new SendWindow(options.prefetch && options.prefetch > 0 ? options.prefetch : DEFAULT_GRPC_PREFETCH);
    const feed = (async () => {
      let sent = 0;
      try {
        for await (const req of requests) {
          if (!(await window.take())) break;
          // the gateway ended the call (a failed request fails the stream): stop reading the inputs
          if (!call.alive) break;
          sent++;
          if (!call.send(req)) await call.drained();
        }
        call.sentAll(sent);
      } catch (err) {
        feedError = err;
        call.cancel();
      } finally {
        if (own) call.end();
      }
    })();
    try {
      for await (const res of answers) {
        window.release();
        yield res;
      }
    } catch (err) {
      throw explainConnectionFailure(feedError ?? err, this.#tls);
    } finally {
      window.close();
      signal?.removeEventListener('abort', abort);
      // left early (a consumer that stopped reading): the answers still due go to no one
      if (!call.settled) call.cancel();
      await feed;
      if (!own) this.#pool.release(call);
    }
    if (feedError) throw feedError;
  }

  streamDoc(req: SingleDocumentRequest, options: StreamCallOptions): AsyncIterable<SingleDocumentRequest> {
    return this.#client.streamDoc(req, {
      ...this.#callOptions(options),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async isReady(timeoutMs: number): Promise<boolean> {
    try {
      return (await this.#client.healthCheck('', { timeoutMs })) === 'SERVING';
    } catch {
      return false;
    }
  }

  async dryRun(timeoutMs: number): Promise<Status> {
    try {
      return await this.#client.dryRun({ ...this.#callOptions({}), timeoutMs });
    } catch (err) {
      return { code: StatusCode.ERROR, description: (explainConnectionFailure(err, this.#tls) as Error).message };
    }
  }

  status(timeoutMs: number): Promise<JinaInfo> {
    return this.#client.status({ ...this.#callOptions({}), timeoutMs }).catch((err: unknown) => {
      throw explainConnectionFailure(err, this.#tls);
    });
  }

  async close(): Promise<void> {
    this.#pool.close();
    this.#client.close();
  }

  #callOptions(options: StreamCallOptions): CallOptions {
    if (!this.#headers && !options.headers) return {};
    return { metadata: { ...this.#headers, ...options.headers } };
  }
}
