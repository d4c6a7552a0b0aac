/** The gRPC client transport: every request of a `post` over one `jina.JinaRPC/Call` bidirectional stream. */
import { type Status, StatusCode } from '../errors/index.js';
import { type CallOptions, RuntimeClient } from '../networking/index.js';
import type { DataRequest, JinaInfo } from '../request/index.js';
import type { StreamCallOptions, Transport, TransportTarget } from './transport.js';

export class GrpcTransport implements Transport {
  readonly protocol = 'grpc';
  readonly #client: RuntimeClient;

  constructor(target: TransportTarget) {
    this.#client = new RuntimeClient(`${target.host}:${target.port}`, { name: 'gateway' });
  }

  async *stream(requests: AsyncIterable<DataRequest>, options: StreamCallOptions): AsyncIterable<DataRequest> {
    const call = this.#client.call(callOptions(options));
    const abort = (): void => call.cancel();
    options.signal?.addEventListener('abort', abort, { once: true });
    let feedError: unknown;
    const feed = (async () => {
      try {
        for await (const req of requests) if (!call.send(req)) await call.drained();
      } catch (err) {
        feedError = err;
        call.cancel();
      } finally {
        call.end();
      }
    })();
    try {
      yield* call;
    } catch (err) {
      throw feedError ?? err;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      await feed;
    }
    if (feedError) throw feedError;
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
      return await this.#client.dryRun({ timeoutMs });
    } catch (err) {
      return { code: StatusCode.ERROR, description: (err as Error).message };
    }
  }

  status(timeoutMs: number): Promise<JinaInfo> {
    return this.#client.status({ timeoutMs });
  }

  async close(): Promise<void> {
    this.#client.close();
  }
}

function callOptions(options: StreamCallOptions): CallOptions {
  return options.headers ? { metadata: options.headers } : {};
}
