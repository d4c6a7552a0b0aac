/**
 * ConnectionPool: the replicas of one deployment (or one shard), one RuntimeClient each, behind a pluggable
 * selection strategy (round robin by default). A call goes to the picked replica; when that replica is
 * unavailable the call moves on to the next one, up to `retries` (Jina's default -1 means max(3, replicas): every
 * replica at least once). The caller sees an error only when no replica could serve the call. A replica restarted
 * on the same address is used again as soon as its channel reconnects, without any intervention; a call whose
 * tries all failed while some replica was reconnecting waits for it (up to 1.5 s, within the call's deadline) and
 * tries again, so a rolling restart (one replica reconnecting, the next one draining) fails no call.
 *
 * A replica that does not answer within the per-try timeout (`timeoutMs`, Jina's `timeout_send`) may sit behind a
 * silent link (packets dropped, no reset: nothing fails, calls just wait). As Jina does, the call moves on to another
 * replica, but only to one that is ready and not tried yet in this call (so a uniformly slow executor is not sent
 * the work again), and that replica is set aside: no calls for a while (doubling with each timeout in a row), then
 * one call at a time tries it, and its first answer puts it back in rotation. Its native connection is pinged at
 * once, so a dead link is dropped (its other calls retried) within the keepalive timeout.
 */
import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { DeadlineExceededError, UnavailableError } from '../errors/index.js';
import { channels, type PoolState } from '../observability/index.js';
import type { DataRequest, Endpoints, SingleDocumentRequest } from '../request/index.js';
import { type BalancingStrategy, type ReplicaView, resolveStrategy } from './balancing/index.js';
import { callHooks } from './call-hooks.js';
import type { TransportPreference } from './native/index.js';
import { type BackoffOptions, backoffBefore, pause, triesFor } from './retry.js';
import { type CallOptions, RuntimeClient } from './runtime-client.js';

/**
 * How long a call whose every try failed waits for a reconnecting replica before giving up: longer than a
 * channel's longest reconnect back-off (`grpc.max_reconnect_backoff_ms`, 1 s, plus jitter).
 */
const RECONNECT_WAIT_MS = 1_500;

export interface ConnectionPoolOptions {
  /** The deployment or shard these replicas belong to (`encoder`, `encoder/shard-1`), for messages. */
  name: string;
  /** `host:port` of every replica. */
  addresses: readonly string[];
  /** Runtime names of the replicas, same order as `addresses` (default `<name>/rep-<i>`). */
  replicaNames?: readonly string[];
  /** A registered strategy name or an instance (default `round-robin`). */
  strategy?: string | BalancingStrategy;
  /** Extra tries on an unavailable replica; -1 (default) means max(3, replicas). */
  retries?: number;
  /** Default per-try timeout in ms (Jina's `timeout_send`); none by default. */
  timeoutMs?: number;
  /** Pause before a second pass over replicas already tried in the same call (doubles per pass, capped at 1 s). */
  retryBackoffMs?: number;
  channelOptions?: ChannelOptions;
  /** The replicas' channel credentials (default plain text); TLS ones turn the native transport off. */
  credentials?: ChannelCredentials;
  /** `auto` (default: native transport to weft runtimes that offer it) or `grpc`; see RuntimeClient. */
  transport?: TransportPreference;
  /**
   * How long a replica that let a call time out is set aside, in ms: `initialMs` after one timeout, doubling with
   * each further timeout in a row, at most `maxMs` (default 500 and 5000).
   */
  setAside?: { initialMs: number; maxMs: number };
}

export interface SendOptions extends CallOptions {
  /** Overrides the pool's `retries` for this call. */
  retries?: number;
}

interface Replica {
  client: RuntimeClient;
  inFlight: number;
  /** Calls in a row it let time out (0: it answers). */
  strikes: number;
  /** With strikes: no calls before this epoch ms, then one call at a time (`probing`) tries it. */
  asideUntil: number;
  probing: boolean;
}

export class ConnectionPool {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly #replicas: Replica[];
  readonly #strategy: BalancingStrategy;
  readonly #retries: number;
  readonly #timeoutMs: number | undefined;
  readonly #backoff: BackoffOptions;
  readonly #setAside: { initialMs: number; maxMs: number };
  #endpoints: Promise<Endpoints> | undefined;
  #state: PoolState | undefined;

  /** @example const pool = new ConnectionPool({ name: 'encoder', addresses: ['127.0.0.1:50001', '127.0.0.1:50002'] }) */
  constructor(options: ConnectionPoolOptions) {
    if (options.addresses.length === 0) {
      throw new UnavailableError(`deployment '${options.name}' has no replica addresses to connect to`, {
        details: { deployment: options.name },
      });
    }
    this.name = options.name;
    this.addresses = [...options.addresses];
    this.#replicas = this.addresses.map((address, i) => ({
      client: new RuntimeClient(address, {
        name: options.replicaNames?.[i] ?? `${options.name}/rep-${i}`,
        ...(options.channelOptions ? { channelOptions: options.channelOptions } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.transport ? { transport: options.transport } : {}),
      }),
      inFlight: 0,
      strikes: 0,
      asideUntil: 0,
      probing: false,
    }));
    const strategy = options.strategy ?? 'round-robin';
    this.#strategy = typeof strategy === 'string' ? resolveStrategy(strategy) : strategy;
    this.#retries = options.retries ?? -1;
    this.#timeoutMs = options.timeoutMs;
    this.#backoff = { initialMs: options.retryBackoffMs ?? 50, maxMs: 1000 };
    this.#setAside = options.setAside ?? { initialMs: 500, maxMs: 5000 };
    if (channels.poolOpened.hasSubscribers) {
      this.#state = { pool: this.name, replicas: () => this.replicas };
      channels.poolOpened.publish(this.#state);
    }
  }

  /** The replicas as strategies see them. */
  get replicas(): ReplicaView[] {
    const now = Date.now();
    return this.#replicas.map((r, index) => ({
      index,
      address: r.client.address,
      inFlight: r.inFlight,
      healthy: this.#ready(r, now),
    }));
  }

  /** The per-replica clients (same order as `addresses`). */
  get clients(): readonly RuntimeClient[] {
    return this.#replicas.map((r) => r.client);
  }

  /** Send one request to a replica (`process_single_data`); the answer may carry an in-band error status. */
  send(req: DataRequest, options: SendOptions = {}): Promise<DataRequest> {
    return this.run('process_single_data', (c, o) => c.processSingleData(req, o), options);
  }

  /** Send several requests as one call (`process_data`, an unreduced join). */
  sendList(reqs: DataRequest[], options: SendOptions = {}): Promise<DataRequest> {
    return this.run('process_data', (c, o) => c.processData(reqs, o), options);
  }

  /**
   * One document to a streaming endpoint (`stream_doc`), its answers as they arrive. A replica that is unavailable
   * before its first answer is left for the next one (as `run` does); once answers flowed, a failure ends the
   * iteration. The pool's `timeoutMs` does not apply (a stream lasts as long as its endpoint yields); pass
   * `timeoutMs` or `deadline` to bound it. Ending the iteration or aborting `signal` cancels the call.
   */
  async *streamDoc(
    req: SingleDocumentRequest,
    options: Omit<SendOptions, 'onTrailers'> & { signal?: AbortSignal } = {},
  ): AsyncGenerator<SingleDocumentRequest> {
    const n = this.#replicas.length;
    const tries = triesFor(options.retries ?? this.#retries, n);
    const order = this.#order();
    const failures: string[] = [];
    let last: unknown;
    for (let attempt = 0; attempt < tries && !options.signal?.aborted; attempt++) {
      const wait = backoffBefore(attempt, this.#backoff, n);
      if (wait > 0) await pause(wait, options.signal);
      const replica = this.#replicas[order[attempt % n] as number] as Replica;
      let answered = false;
      replica.inFlight++;
      try {
        for await (const res of replica.client.streamDoc(req, options)) {
          answered = true;
          yield res;
        }
        return;
      } catch (err) {
        if (answered || !(err instanceof UnavailableError)) throw err;
        last = err;
        failures.push(replica.client.address);
      } finally {
        replica.inFlight--;
      }
    }
    if (last === undefined) return; // aborted before any replica was tried
    const tried = [...new Set(failures)];
    throw new UnavailableError(
      `no replica of '${this.name}' could serve stream_doc: ${failures.length} ${failures.length === 1 ? 'try' : 'tries'} over ${tried.join(', ')} failed; last error: ${(last as Error).message}`,
      { cause: last, details: { deployment: this.name, addresses: tried, tries: failures.length } },
    );
  }

  /** The endpoints the replicas expose (asked once; a failed discovery is asked again next time). */
  endpointDiscovery(options: SendOptions = {}): Promise<Endpoints> {
    if (!this.#endpoints) {
      const p = this.run('endpoint_discovery', (c, o) => c.endpointDiscovery(o), options);
      this.#endpoints = p;
      p.catch(() => {
        if (this.#endpoints === p) this.#endpoints = undefined;
      });
    }
    return this.#endpoints;
  }

  /** The endpoint names the replicas expose (the shape the gateway's topology graph asks for). */
  async endpoints(options: SendOptions = {}): Promise<readonly string[]> {
    return (await this.endpointDiscovery(options)).endpoints;
  }

  /**
   * Run `call` against the picked replica, moving on to the next one while replicas are unavailable, or when one
   * did not answer within the per-try timeout and a ready replica is left that this call has not tried (see the
   * module comment). Other failures (the call's own deadline, a refused message) are not retried: the call may
   * have run.
   */
  run<T>(
    what: string,
    call: (client: RuntimeClient, options: CallOptions) => Promise<T>,
    options: SendOptions = {},
  ): Promise<T> {
    const hook = callHooks.outbound;
    if (hook === undefined) return this.#run(what, call, options);
    return hook({ target: this.name, method: what }, options, (o) => this.#run(what, call, o));
  }

  async #run<T>(
    what: string,
    call: (client: RuntimeClient, options: CallOptions) => Promise<T>,
    options: SendOptions,
  ): Promise<T> {
    const n = this.#replicas.length;
    const tries = triesFor(options.retries ?? this.#retries, n);
    let order = this.#order();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const failures: string[] = [];
    const triedReplicas = new Set<Replica>();
    let last: unknown;
    let waited = false;
    for (let attempt = 0; attempt < tries; attempt++) {
      const wait = backoffBefore(attempt, this.#backoff, n);
      if (wait > 0) await pause(wait);
      const replica = this.#replicas[order[attempt % n] as number] as Replica;
      if (options.deadline !== undefined && Date.now() >= options.deadline) break;
      // the last try failed too: if a replica is reconnecting (restarted, its channel still backing off), wait for
      // it once and try again, rather than fail while a replica is up (a rolling restart: the one just restarted is
      // reconnecting while the next one drains)
      if (attempt === tries - 1 && !waited && last !== undefined) {
        waited = true;
        const back = await this.#reconnected(options.deadline);
        if (back !== undefined) {
          attempt = -1;
          order = [back, ...order.filter((i) => i !== back)];
          continue;
        }
      }
      // a set-aside replica whose time is up: this call is the one that tries it
      const probe = replica.strikes > 0 && !replica.probing;
      if (probe) replica.probing = true;
      triedReplicas.add(replica);
      replica.inFlight++;
      const startedAt = channels.poolCall.hasSubscribers ? performance.now() : undefined;
      try {
        const answer = await call(replica.client, { ...options, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
        if (startedAt !== undefined) this.#published(what, replica, startedAt, true);
        replica.strikes = 0;
        return answer;
      } catch (err) {
        if (startedAt !== undefined) this.#published(what, replica, startedAt, false);
        if (err instanceof DeadlineExceededError && timeoutMs !== undefined) {
          this.#putAside(replica);
          replica.client.checkConnection();
          const next = this.#nextReady(order, attempt, tries, triedReplicas);
          if (next === undefined) throw err;
          last = err;
          failures.push(replica.client.address);
          attempt = next - 1;
          continue;
        }
        if (!(err instanceof UnavailableError)) throw err;
        if (probe) this.#putAside(replica);
        last = err;
        failures.push(replica.client.address);
      } finally {
        replica.inFlight--;
        if (probe) replica.probing = false;
      }
    }
    if (last === undefined) {
      throw new DeadlineExceededError(
        `the deadline for ${what} on '${this.name}' passed before any replica was tried`,
        {
          details: { deployment: this.name },
        },
      );
    }
    const tried = [...new Set(failures)];
    throw new UnavailableError(
      `no replica of '${this.name}' could serve ${what}: ${failures.length} ${failures.length === 1 ? 'try' : 'tries'} over ${tried.join(', ')} failed; last error: ${(last as Error).message}`,
      { cause: last, details: { deployment: this.name, addresses: tried, tries: failures.length } },
    );
  }

  /**
   * Wait (at most `RECONNECT_WAIT_MS`, and not past `deadline`) for a replica whose channel is not connected to
   * connect; its index, or undefined when none is reconnecting or none made it.
   */
  async #reconnected(deadline: number | undefined): Promise<number | undefined> {
    const waiting = this.#replicas
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.client.connectivity !== 'READY' && r.client.connectivity !== 'SHUTDOWN');
    if (waiting.length === 0) return undefined;
    const until = Math.min(deadline ?? Number.POSITIVE_INFINITY, Date.now() + RECONNECT_WAIT_MS);
    try {
      return await Promise.any(waiting.map(({ r, i }) => r.client.waitForReady(until).then(() => i)));
    } catch {
      return undefined;
    }
  }

  /** Close every channel. */
  close(): void {
    for (const r of this.#replicas) r.client.close();
    if (this.#state && channels.poolClosed.hasSubscribers) channels.poolClosed.publish(this.#state);
  }

  /** Whether new calls may go to `r`: its channel is not failing and it is not set aside (see the module comment). */
  #ready(r: Replica, now: number): boolean {
    if (r.strikes > 0 && (r.probing || now < r.asideUntil)) return false;
    return r.client.connectivity !== 'TRANSIENT_FAILURE';
  }

  /** `r` let a call time out: no calls to it for a while, longer with each timeout in a row. */
  #putAside(r: Replica): void {
    r.strikes++;
    const ms = Math.min(this.#setAside.maxMs, this.#setAside.initialMs * 2 ** Math.min(30, r.strikes - 1));
    r.asideUntil = Date.now() + ms;
  }

  /** The first try after `attempt` (below `tries`) that goes to a ready replica not `tried` in this call. */
  #nextReady(order: readonly number[], attempt: number, tries: number, tried: ReadonlySet<Replica>): number | undefined {
    const now = Date.now();
    for (let k = attempt + 1; k < tries; k++) {
      const r = this.#replicas[order[k % order.length] as number] as Replica;
      if (!tried.has(r) && this.#ready(r, now)) return k;
    }
    return undefined;
  }

  #published(method: string, replica: Replica, startedAt: number, ok: boolean): void {
    const durationMs = performance.now() - startedAt;
    channels.poolCall.publish({ pool: this.name, address: replica.client.address, method, durationMs, ok });
  }

  /** Replica indices for one call: the strategy's pick first, the rest in rotation, healthy ones before the others. */
  #order(): readonly number[] {
    // one replica: nothing to pick (and no views to build on every call of the hot path)
    if (this.#replicas.length === 1) return ONLY_REPLICA;
    const views = this.replicas;
    const first = this.#strategy.pick(views);
    const rotation = views.map((_, k) => (first + k) % views.length);
    const healthy = rotation.filter((i, k) => k === 0 || views[i]?.healthy);
    return [...healthy, ...rotation.filter((i) => !healthy.includes(i))];
  }
}

const ONLY_REPLICA: readonly number[] = Object.freeze([0]);
