/**
 * TLS on the Client's side: how it trusts a gateway's certificate (`tls: { ca, servername }`, else Node's bundled
 * CAs plus those in NODE_EXTRA_CA_CERTS), and what a failed TLS connection says. An untrusted or misnamed
 * certificate, or a TLS client at a port that does not speak TLS, is a `TlsError` naming the fix. A plain client
 * at a TLS port only sees its connection dropped, which cannot be told apart from other drops for sure, so its
 * `UnavailableError` gets a hint instead.
 */
import type { ConnectionOptions } from 'node:tls';
import { ExecutorError, errorOfCode, TlsError, WeftError } from '../errors/index.js';

/**
 * How a Client trusts the gateway's certificate; the options of the same names of Node's `tls.connect`.
 * @example new Client({ host: 'https://localhost:8443', tls: { ca: readFileSync('gateway-cert.pem') } })
 */
export interface ClientTlsOptions {
  /**
   * The CA certificates (PEM) the gateway's certificate must chain to, instead of Node's bundled CAs; for a
   * self-signed certificate, that certificate itself. Without it: Node's CAs and those in NODE_EXTRA_CA_CERTS.
   */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** The host name the certificate must be valid for when it is not the host dialled (also sent as SNI). */
  servername?: string;
}

/** `tls.connect` options (for node:https agents and ws) for `o`. */
export function nodeTlsOptions(o: ClientTlsOptions | undefined): Pick<ConnectionOptions, 'ca' | 'servername'> {
  const ca = o?.ca;
  return {
    ...(ca !== undefined ? { ca: typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca] } : {}),
    ...(o?.servername !== undefined ? { servername: o.servername } : {}),
  };
}

/** The CA certificates of `o` as one PEM bundle (gRPC's root certificates), or null for Node's defaults. */
export function caBundle(o: ClientTlsOptions | undefined): Buffer | null {
  const ca = o?.ca;
  if (ca === undefined) return null;
  const all = typeof ca === 'string' || Buffer.isBuffer(ca) ? [ca] : ca;
  return Buffer.concat(all.flatMap((c) => [Buffer.from(c), Buffer.from('\n')]));
}

/** Where a connection went, for the messages. */
export interface TlsContext {
  /** Whether the client spoke TLS. */
  tls: boolean;
  /** The gateway's URL as the client dialled it (`https://h:p`). */
  url: string;
  /** The scheme without and with TLS (`http`/`https`, `ws`/`wss`, `grpc`/`grpcs`). */
  schemes: readonly [plain: string, secure: string];
}

const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
]);
// the same failures as grpc-js reports them (text only, no code)
const UNTRUSTED_TEXT =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|certificate is not yet valid/i;
const MISNAMED = /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i;
// OpenSSL's words when the server answers a TLS hello in plain text
const NOT_TLS = /wrong version number|packet length too long|unknown protocol/i;
// what a plain client sees when a TLS server drops its connection
const DROPPED = /ECONNRESET|socket hang up|Failed to connect|Connection dropped|Protocol error/i;

/**
 * The `TlsError` a failed connection stands for: an untrusted or misnamed certificate, or a TLS client at a
 * port that does not speak TLS; undefined for any other failure.
 */
export function tlsFailure(err: unknown, ctx: TlsContext): TlsError | undefined {
  if (!ctx.tls) return undefined;
  const text = describe(err);
  const [plain] = ctx.schemes;
  let advice: string | undefined;
  if (MISNAMED.test(text)) {
    advice = `the gateway's TLS certificate does not name the host dialled; connect by a name it lists, or set tls: { servername }`;
  } else if (codesOf(err).some((c) => UNTRUSTED_CODES.has(c)) || UNTRUSTED_TEXT.test(text)) {
    advice = `the gateway's TLS certificate is not trusted; pass its CA certificate (for a self-signed certificate, the certificate itself) as tls: { ca }, or add it to NODE_EXTRA_CA_CERTS`;
  } else if (NOT_TLS.test(text)) {
    advice = `the gateway does not speak TLS on this port; connect with ${plain}:// (tls: false)`;
  }
  if (advice === undefined) return undefined;
  return new TlsError(`cannot connect to ${ctx.url}: ${advice} (${reasonOf(err)})`, {
    cause: err,
    details: { url: ctx.url },
  });
}

/** A hint to append to a plain client's connection failure when the gateway may be serving TLS ('' otherwise). */
export function plainClientHint(err: unknown, ctx: TlsContext): string {
  if (ctx.tls || !DROPPED.test(describe(err))) return '';
  return `; if the gateway serves TLS on this port, connect with ${ctx.schemes[1]}:// (or tls: true)`;
}

/** Codes, names and messages of `err` and its causes, as one text to match. */
function describe(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown };
    parts.push(String(x.code ?? ''), String(x.message ?? ''));
    if (e instanceof WeftError && typeof e.details.grpcDetails === 'string') parts.push(e.details.grpcDetails);
    e = x.cause;
  }
  return parts.join(' ');
}

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** The innermost message: the TLS library's own words. */
function reasonOf(err: unknown): string {
  let e: unknown = err;
  let message = String((e as { message?: unknown })?.message ?? e);
  for (let depth = 0; e && depth < 5; depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m) message = m;
    e = (e as { cause?: unknown }).cause;
  }
  return message.trim();
}

/**
 * `err` as the caller should see it: a `TlsError` when it is a TLS failure, the same error with a hint when a
 * plain client may have reached a TLS port, else `err` itself.
 */
export function explainConnectionFailure(err: unknown, ctx: TlsContext): unknown {
  const tls = tlsFailure(err, ctx);
  if (tls) return tls;
  const hint = plainClientHint(err, ctx);
  if (!hint || !(err instanceof WeftError) || err instanceof ExecutorError) return err;
  return errorOfCode(err.code, `${err.message}${hint}`, { cause: err.cause ?? err, details: err.details });
}
