/**
 * The gateway's access log: one `info` line per client request (protocol, endpoint, status, error code, docs
 * answered, duration, request id), from the gateway request events. On by default in a gateway process;
 * `access_log: false` (or `WEFT_ACCESS_LOG=0`) turns it off, and the gateway then publishes nothing for it.
 *
 * @example const stop = startAccessLog(createLogger('weft gateway gateway'));
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ProtoReader } from '../wire/index.js';
import { CHANNELS, type GatewayRequestEnd, type GatewayRequestError } from './events.js';
import type { Logger } from './log.js';
import { LOG_ENV } from './runtime-env.js';

/** Whether the environment leaves the access log on (it is unless `WEFT_ACCESS_LOG` says 0 / false / off). */
export function accessLogEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(0|false|no|off)$/i.test(env[LOG_ENV.accessLog]?.trim() ?? '');
}

/** Write an access line per gateway request to `log`; returns how to stop. */
export function startAccessLog(log: Logger): () => void {
  const ended = (m: unknown): void => {
    const e = m as GatewayRequestEnd;
    const status = e.response?.header.status;
    const failed = status !== undefined && status.code !== 0;
    log.info(`${e.protocol} ${e.endpoint} ${failed ? 'ERROR' : 'SUCCESS'}`, {
      access: true,
      protocol: e.protocol,
      endpoint: e.endpoint,
      status: failed ? 'ERROR' : 'SUCCESS',
      ...(failed && status?.exception?.name ? { error: status.exception.name } : {}),
      docs: e.response ? docCount(e.response) : undefined,
      duration_ms: Math.round(e.durationMs * 1000) / 1000,
      request_id: e.request?.header.requestId,
    });
  };
  const errored = (m: unknown): void => {
    const e = m as GatewayRequestError;
    const code = (e.error as { code?: unknown })?.code;
    log.info(`${e.protocol} ${e.endpoint} FAILED`, {
      access: true,
      protocol: e.protocol,
      endpoint: e.endpoint,
      status: 'FAILED',
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      duration_ms: Math.round(e.durationMs * 1000) / 1000,
      request_id: e.request?.header.requestId,
    });
  };
  subscribe(CHANNELS.gatewayRequestEnd, ended);
  subscribe(CHANNELS.gatewayRequestError, errored);
  return () => {
    unsubscribe(CHANNELS.gatewayRequestEnd, ended);
    unsubscribe(CHANNELS.gatewayRequestError, errored);
  };
}

/** Documents in an answer, counted on the wire when they were never decoded (the gateway forwards bytes). */
function docCount(req: NonNullable<GatewayRequestEnd['response']>): number | undefined {
  if (req.docsDecoded) return req.docs.length;
  const raw = req.rawDocs;
  if (raw === undefined) return req.opaqueDocs === undefined ? 0 : undefined;
  try {
    const r = new ProtoReader(raw);
    let n = 0;
    while (r.pos < r.len) {
      const tag = r.tag();
      if (tag === ((1 << 3) | 2)) {
        n++;
        r.skipDelimited();
      } else r.skip(tag & 7, tag >>> 3);
    }
    return n;
  } catch {
    return undefined;
  }
}
