/**
 * Readiness of a gateway (`GET /ready`, `weft ping flow` over HTTP): every executor of the Flow is asked through
 * the standard gRPC health check (`grpc.health.v1.Health/Check`, the whole server), each replica at once and each
 * bounded by a short timeout, so one hung replica cannot hold the answer. An executor is ready when at least one
 * of its replicas serves (the pool routes around the others); the gateway is ready when every executor is.
 * Liveness (`GET /health`) asks nothing: the process serves.
 */
import type { ConnectionPool, ServingStatus } from '../../networking/index.js';

export interface ReplicaReadiness {
  address: string;
  /** The replica's health answer, or `UNREACHABLE` when it gave none in time. */
  status: ServingStatus | 'UNREACHABLE';
  /** Why it is not serving (the transport error's message). */
  error?: string;
}

export interface ExecutorReadiness {
  executor: string;
  ready: boolean;
  replicas: ReplicaReadiness[];
}

export interface Readiness {
  /** Every executor has a replica that serves. */
  ready: boolean;
  gateway: string;
  executors: ExecutorReadiness[];
}

/** How long one replica may take to answer its health check, by default. */
export const READY_TIMEOUT_MS = 2000;

/**
 * Ask every replica of every pool, at once.
 * @example const { ready, executors } = await readinessOf('gateway', pools, 500)
 */
export async function readinessOf(
  gateway: string,
  pools: ReadonlyMap<string, ConnectionPool>,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<Readiness> {
  const executors = await Promise.all(
    [...pools].map(async ([executor, pool]): Promise<ExecutorReadiness> => {
      const replicas = await Promise.all(
        pool.clients.map(async (client): Promise<ReplicaReadiness> => {
          try {
            return { address: client.address, status: await client.healthCheck('', { timeoutMs }) };
          } catch (err) {
            return { address: client.address, status: 'UNREACHABLE', error: (err as Error).message };
          }
        }),
      );
      return { executor, ready: replicas.some((r) => r.status === 'SERVING'), replicas };
    }),
  );
  executors.sort((a, b) => (a.executor < b.executor ? -1 : 1));
  return { ready: executors.every((e) => e.ready), gateway, executors };
}
