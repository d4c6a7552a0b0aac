/** Plain types of Jina's request envelope: header, route entries and protobuf timestamps. */
import type { Status } from '../errors/index.js';

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface Header {
  requestId: string;
  status?: Status;
  /** The endpoint to call (`/index`); absent means the default endpoint. */
  execEndpoint?: string;
  /** Regex over executor names: only matching executors process the request. */
  targetExecutor?: string;
  /** Epoch seconds after which the request may be dropped. */
  timeout?: number;
}

/** One hop a request went through (`RouteProto`). */
export interface Route {
  executor: string;
  startTime?: Timestamp;
  endTime?: Timestamp;
  status?: Status;
}

const origin = performance.timeOrigin;

/** The current time as a protobuf Timestamp, with sub-millisecond precision. */
export function nowTimestamp(): Timestamp {
  const ms = origin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6)) };
}

/** Milliseconds since the epoch. */
export function timestampToMs(t: Timestamp): number {
  return t.seconds * 1000 + t.nanos / 1e6;
}

/** ISO-8601 form, as Jina's JSON shows route times. */
export function timestampToIso(t: Timestamp): string {
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(t.nanos).padStart(9, '0').slice(0, 6)}Z`;
}
