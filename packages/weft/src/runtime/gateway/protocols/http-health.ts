/**
 * The health routes the HTTP and WebSocket gateways serve, open without a token even when the gateway wants one:
 * `GET /` (Jina's, `{}`), `GET /health` (liveness: the gateway process serves; 503 once it shuts down) and
 * `GET /ready` (readiness: every executor answers its health check, with each replica's answer; 503 when one does
 * not, see `readiness.ts`). And the one way both answer a call the gateway's guards refuse (401 with
 * `WWW-Authenticate: Bearer` for a missing or wrong token, the coded error in Jina's body shape; a GraphQL error
 * list too at `/graphql`).
 */
import { WeftError } from '../../../errors/index.js';
import type { Gateway } from '../gateway.js';
import { requestErrorReply } from './http-errors.js';

/** Paths of the health routes (HTTP `GET` only): never guarded. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/', '/health', '/ready']);

export interface HealthAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** `GET /health`: `{ status: 'ok', gateway }` while serving, 503 `{ status: 'shutting down' }` after. */
export function liveness(gateway: Gateway, accepting: boolean): HealthAnswer {
  return accepting
    ? { status: 200, body: { status: 'ok', gateway: gateway.name } }
    : { status: 503, body: { status: 'shutting down', gateway: gateway.name } };
}

/** `GET /ready`: 200 with every executor's replicas when all are ready, 503 (same body) otherwise. */
export async function readiness(gateway: Gateway, accepting: boolean): Promise<HealthAnswer> {
  const r = await gateway.readiness();
  const ready = accepting && r.ready;
  return { status: ready ? 200 : 503, body: { ...r, ready } };
}

export interface RefusalReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The answer to a call the guards refused with `err` (`path` picks the GraphQL shape at `/graphql`). */
export function refusalReply(err: unknown, path: string): RefusalReply {
  const { status, body } = requestErrorReply(err);
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
  if (path !== '/graphql') return { status, headers, body };
  const code = err instanceof WeftError ? err.code : 'WEFT_ERROR';
  const message = err instanceof Error ? err.message : String(err);
  return { status, headers, body: { ...body, errors: [{ message, extensions: { code } }] } };
}
