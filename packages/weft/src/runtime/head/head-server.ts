/**
 * HeadServer: the head runtime of a sharded (or replicated) deployment, on the server kit. It serves the same
 * services as a worker (`process_single_data`, `process_data`, `Call`, `stream_doc`, `endpoint_discovery` as the union of the
 * shards', `_status`, health, reflection) and hands every request to a HeadHandler, which fans it out to the
 * shards' connection pools. Like a worker it also serves the unary calls on a native port for other weft runtimes
 * (advertised in `_status`). Shutdown is the kit's graceful stop: health turns NOT_SERVING, new calls are refused
 * with UNAVAILABLE (native clients are told GOAWAY), calls under way finish (bounded by a grace period), then
 * connections close.
 */
import { ConnectionPool, internalCredentials, loadInternalServerTls } from '../../networking/index.js';
import { createLogger } from '../../observability/index.js';
import { RuntimeServer, servedServices } from '../server/index.js';
import type { HeadConfig, HeadTargetConfig } from './head-config.js';
import { HeadHandler } from './head-handler.js';
import { headCalls } from './head-service.js';

/** Every service a head serves (what reflection lists and health reports on). */
export const HEAD_SERVICE_NAMES: readonly string[] = servedServices({ processData: true, streamDoc: true });

export class HeadServer {
  readonly name: string;
  readonly host: string;
  readonly handler: HeadHandler;
  readonly #server: RuntimeServer;

  constructor(config: HeadConfig, options: { log?: (message: string) => void } = {}) {
    this.name = config.name;
    this.host = config.host ?? '0.0.0.0';
    const log = options.log ?? createLogger(`weft head ${config.name}`).warn;
    // internal TLS: serve it, and speak it to the shards (gRPC only: the native transport is plain TCP)
    const tls = config.tls ? loadInternalServerTls(config.tls) : undefined;
    const credentials = config.tls ? internalCredentials(config.tls.cafile) : undefined;
    const pool = (t: HeadTargetConfig) =>
      new ConnectionPool({
        name: t.name,
        addresses: t.replicas.map((r) => r.address),
        replicaNames: t.replicas.map((r, i) => r.name ?? `${t.name}/rep-${i}`),
        ...(config.retries !== undefined ? { retries: config.retries } : {}),
        ...(config.timeoutSend !== undefined ? { timeoutMs: config.timeoutSend } : {}),
        ...(config.strategy !== undefined ? { strategy: config.strategy } : {}),
        ...(credentials ? { credentials } : {}),
      });
    this.handler = new HeadHandler({
      deployment: config.deployment,
      shards: config.shards.map(pool),
      ...(config.polling !== undefined ? { polling: config.polling } : {}),
      ...(config.usesBefore ? { usesBefore: pool(config.usesBefore) } : {}),
      ...(config.usesAfter ? { usesAfter: pool(config.usesAfter) } : {}),
      log,
    });
    const max = config.maxMessageBytes ?? -1;
    this.#server = new RuntimeServer(
      {
        kind: 'head',
        name: config.name,
        host: this.host,
        port: config.port,
        nativePort: tls ? false : (config.nativePort ?? 0),
        ...(tls ? { tls } : {}),
        maxReceiveMessageBytes: max,
        maxSendMessageBytes: max,
        log: (level, message) => {
          if (level !== 'info') log(message);
        },
      },
      headCalls(this.handler, config.name),
    );
  }

  /** The bound port (after `start()`). */
  get port(): number | undefined {
    return this.#server.port;
  }

  /** The bound native port (after `start()`; undefined when the head serves none). */
  get nativePort(): number | undefined {
    return this.#server.nativePort;
  }

  /** `host:port` a client on this machine can dial. */
  get address(): string {
    return this.#server.address;
  }

  /** Bind and serve; resolves with the bound port. */
  start(): Promise<number> {
    return this.#server.start();
  }

  /** Graceful shutdown (idempotent): refuse new calls, let calls under way finish within `graceMs`, close. */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    return this.#server.stop(options.graceMs ?? 30_000, { close: () => this.handler.close() });
  }
}
