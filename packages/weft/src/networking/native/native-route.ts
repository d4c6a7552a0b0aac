/**
 * NativeRoute: a RuntimeClient's choice between the native transport and gRPC for one runtime. The first data call
 * asks the runtime's `_status` over gRPC; when it advertises a native address, a native connection is opened and
 * carries the data calls from then on. A runtime that advertises none (a Jina executor, a gateway) is served over
 * gRPC. When the native connection is lost or the runtime says GOAWAY, the next call asks `_status` again (a
 * restarted runtime has a new native port); when the native port cannot be reached although gRPC answers, gRPC is
 * used and the native port tried again after a back-off (1 s doubling up to 30 s). Discovery never fails a call:
 * when `_status` cannot be asked, the call goes over gRPC and reports whatever is wrong the usual way.
 */
import type { JinaInfo } from '../../request/index.js';
import { NATIVE_ADDRESS_KEY, nativeTarget } from './native-address.js';
import { NativeConnection, type NativeConnectOptions } from './native-connection.js';

/** What a route is using right now. */
export type RouteState = 'unknown' | 'native' | 'grpc';

export interface NativeRouteOptions {
  /** The runtime's gRPC `host:port` (its host replaces a wildcard in the advertised address). */
  grpcAddress: string;
  /** Ask the runtime's `_status` over gRPC, giving up at the epoch-ms deadline. */
  probe: (deadline: number) => Promise<JinaInfo>;
  connect?: NativeConnectOptions;
}

/** How long discovery may take at most (the call's own deadline may cut it shorter). */
const PROBE_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 3000;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class NativeRoute {
  readonly #options: NativeRouteOptions;
  #connection: NativeConnection | undefined;
  #discovering: Promise<void> | undefined;
  /** Whether the last discovery settled on a transport (false at first, after a loss, after gRPC unavailable). */
  #known = false;
  /** While known and no connection: use gRPC until this epoch ms (Infinity: no native port advertised). */
  #grpcUntil = 0;
  #failures = 0;
  #closed = false;

  constructor(options: NativeRouteOptions) {
    this.#options = options;
  }

  /** The native connection to use now, if one is up. */
  get connection(): NativeConnection | undefined {
    const c = this.#connection;
    return c?.usable ? c : undefined;
  }

  get state(): RouteState {
    if (this.connection) return 'native';
    return this.#known ? 'grpc' : 'unknown';
  }

  /** Whether a call must wait for `discover()` before it can choose (nothing is known about the runtime). */
  get mustWait(): boolean {
    return !this.#closed && !this.#known && !this.connection;
  }

  /** Find out how to reach the runtime (one discovery at a time); resolves with the connection, or undefined for gRPC. */
  async discover(deadline: number): Promise<NativeConnection | undefined> {
    if (this.mustWait) {
      this.#discovering ??= this.#discover(deadline).finally(() => {
        this.#discovering = undefined;
      });
      await settledOrDeadline(this.#discovering, deadline);
    }
    return this.connection;
  }

  /** On the gRPC path: when the back-off after a failed native connect is over, try again without waiting. */
  refresh(): void {
    if (this.#closed || this.#discovering || !this.#known || this.#connection) return;
    if (Date.now() < this.#grpcUntil) return;
    this.#discovering = this.#discover(Date.now() + PROBE_TIMEOUT_MS).finally(() => {
      this.#discovering = undefined;
    });
  }

  /**
   * A gRPC call failed as unavailable: the runtime behind the address may be replaced by another one, so the next
   * call asks again instead of trusting what the last `_status` said.
   */
  grpcUnavailable(): void {
    if (!this.#connection) this.#known = false;
  }

  /** Close the native connection; calls in flight on it fail with CANCELLED. */
  close(): void {
    this.#closed = true;
    this.#connection?.close();
    this.#connection = undefined;
  }

  async #discover(deadline: number): Promise<void> {
    let info: JinaInfo;
    try {
      info = await this.#options.probe(Math.min(deadline, Date.now() + PROBE_TIMEOUT_MS));
    } catch (err) {
      // a runtime without _status is not a weft runtime: gRPC for good; anything else: ask again next time
      const unimplemented = (err as { details?: { grpcCode?: unknown } }).details?.grpcCode === 12;
      this.#settleOnGrpc(unimplemented ? Infinity : undefined);
      return;
    }
    const advertised = info.jina[NATIVE_ADDRESS_KEY];
    const target = advertised ? nativeTarget(advertised, this.#options.grpcAddress) : undefined;
    if (!target) {
      this.#settleOnGrpc(Infinity);
      return;
    }
    let connection: NativeConnection;
    try {
      connection = await NativeConnection.connect(target.host, target.port, {
        connectTimeoutMs: Math.max(1, Math.min(CONNECT_TIMEOUT_MS, deadline - Date.now())),
        ...this.#options.connect,
      });
    } catch {
      // gRPC answers but the native port does not (a firewall, a port not published): gRPC for a while
      this.#settleOnGrpc(Date.now() + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.#failures++));
      return;
    }
    if (this.#closed) {
      connection.close();
      return;
    }
    this.#failures = 0;
    this.#known = true;
    this.#connection = connection;
    connection.onUnusable = () => {
      if (this.#connection === connection) {
        this.#connection = undefined;
        this.#known = false;
      }
      // a draining runtime (GOAWAY): answers under way still arrive; an idle connection can go now
      if (connection.inFlight === 0) connection.close();
    };
  }

  /** Use gRPC until `until` (epoch ms); undefined: nothing is known, the next call asks again. */
  #settleOnGrpc(until: number | undefined): void {
    this.#known = until !== undefined;
    this.#grpcUntil = until ?? 0;
  }
}

/** Wait for `work`, but not past the epoch-ms `deadline` (a discovery started by another call may take longer). */
async function settledOrDeadline(work: Promise<void>, deadline: number): Promise<void> {
  if (!Number.isFinite(deadline)) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
