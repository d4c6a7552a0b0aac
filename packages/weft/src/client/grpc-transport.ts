/**
 * The gRPC client transport: every request of a `post` over one `jina.JinaRPC/Call` bidirectional stream;
 * `streamDoc` over `jina.JinaSingleDocumentRequestRPC/stream_doc`.
 */
import { credentials } from '@grpc/grpc-js';
import { type Status, StatusCode } from '../errors/index.js';
import { type CallOptions, formatHostPort, RuntimeClient } from '../networking/index.js';
import type { DataRequest, JinaInfo, SingleDocumentRequest } from '../request/index.js';
import { SendWindow } from './send-window.js';
import { caBundle, explainConnectionFailure, type TlsContext } from './tls.js';
import type { StreamCallOptions, Transport, TransportTarget } from './transport.js';

/** Requests unanswered per `stream` when the caller sets no `prefetch` (the gateway's own default). */
export const DEFAULT_GRPC_PREFETCH = 1000;

export class GrpcTransport implements Transport {
  readonly protocol = 'grpc';
  readonly #client: RuntimeClient;
  readonly #tls: TlsContext;
  readonly #headers: Readonly<Record<string, string>> | undefined;

  constructor(target: TransportTarget) {
    this.#headers = target.headers;
    const address = formatHostPort(target.host, target.port);
    this.#tls = { tls: target.tls, url: `${target.tls ? 'grpcs' : 'grpc'}://${address}`, schemes: ['grpc', 'grpcs'] };
    const servername = target.tlsOptions?.servername;
    this.#client = new RuntimeClient(address, {
      name: 'gateway',
      ...(target.tls ? { credentials: credentials.createSsl(caBundle(target.tlsOptions)) } : {}),
      ...(target.tls && servername
        ? { channelOptions: { 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': servername } }
        : {}),
    });
  }

  async *stream(requests: AsyncIterable<DataRequest>, options: StreamCallOptions): AsyncIterable<DataRequest> {
    const call = this.#client.call(this.#callOptions(options));
    const abort = (): void => call.cancel();
    options.signal?.addEventListener('abort', abort, { once: true });
    let feedError: unknown;
    // the Client's prefetch: at most that many requests unanswered. Without a bound, grpc-js takes requests faster
    // than HTTP/2 flow control lets them out, and a sender that never has to wait starves this process's event loop
    const window = new SendWindow(options.prefetch && options.prefetch > 0 ? options.prefetch : DEFAULT_GRPC_PREFETCH);
    const feed = (async () => {
      try {
        for await (const req of requests) {
          if (!(await window.take())) break;
          // the gateway ended the call (a failed request fails the stream): stop reading the inputs
          if (call.ended) break;
          if (!call.send(req)) await call.drained();
        }
      } catch (err) {
        feedError = err;
        call.cancel();
      } finally {
        call.end();
      }
    })();
    try {
      for await (const res of call) {
        window.release();
        yield res;
      }
    } catch (err) {
      throw explainConnectionFailure(feedError ?? err, this.#tls);
    } finally {
      window.close();
      options.signal?.removeEventListener('abort', abort);
      await feed;
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
    this.#client.close();
  }

  #callOptions(options: StreamCallOptions): CallOptions {
    if (!this.#headers && !options.headers) return {};
    return { metadata: { ...this.#headers, ...options.headers } };
  }
}
