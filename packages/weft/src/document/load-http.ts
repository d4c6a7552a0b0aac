/**
 * `loadUri`'s http(s) reader: a GET on `node:http`/`node:https` whose DNS lookup checks every address against the
 * URI policy before connecting (so the address checked is the address connected to), an IP literal checked before
 * the request, redirects followed by hand (at most 5, each checked again), a timeout over the whole download and a
 * byte limit enforced while reading.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { LoadUriError, UriRefusedError } from '../errors/index.js';
import { checkAddress, short, type UriPolicy } from './uri-policy.js';

export interface HttpLoaded {
  bytes: Uint8Array;
  mimeType?: string;
}

const MAX_REDIRECTS = 5;

/** GET `uri` under `policy`; `LoadUriError` on HTTP and network failures, `UriRefusedError` when refused. */
export async function loadHttp(
  uri: string,
  timeoutMs: number,
  maxBytes: number,
  policy: UriPolicy,
): Promise<HttpLoaded> {
  const signal = AbortSignal.timeout(timeoutMs);
  let url = uri;
  for (let hop = 0; ; hop++) {
    const res = await get(url, uri, policy, signal, timeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) {
        throw new LoadUriError(`cannot fetch '${short(uri)}': more than ${MAX_REDIRECTS} redirects`, {
          details: { uri: short(uri) },
        });
      }
      const next = new URL(res.headers.location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new UriRefusedError(`'${short(uri)}' redirects to ${next.protocol} URI, which is not followed`, {
          details: { uri: short(uri), reason: 'redirect-scheme' },
        });
      }
      url = next.href;
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new LoadUriError(`cannot fetch '${short(uri)}': HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd(), {
        details: { uri: short(uri), status },
      });
    }
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      res.destroy();
      throw tooBig(uri, declared, maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          res.destroy();
          throw tooBig(uri, size, maxBytes);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof LoadUriError) throw err;
      throw failed(uri, err, timeoutMs);
    }
    const buf = Buffer.concat(chunks);
    const mimeType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), ...(mimeType ? { mimeType } : {}) };
  }
}

function get(
  url: string,
  uri: string,
  policy: UriPolicy,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<IncomingMessage> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (err) {
    return Promise.reject(
      new LoadUriError(`'${short(uri)}' is not a valid URL`, { cause: err, details: { uri: short(uri) } }),
    );
  }
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  try {
    // an IP literal is connected to without a lookup: check it here
    if (isIP(host) !== 0) checkAddress(host, host, uri, policy);
  } catch (err) {
    return Promise.reject(err);
  }
  let refusal: unknown;
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      try {
        for (const a of list) checkAddress(hostname, a.address, uri, policy);
      } catch (e) {
        refusal = e;
        return callback(e as NodeJS.ErrnoException, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'GET', lookup, signal, headers: { 'user-agent': 'weft' } }, resolve);
    req.on('error', (err) => reject(refusal ?? failed(uri, err, timeoutMs)));
    req.end();
  });
}

function failed(uri: string, err: unknown, timeoutMs: number): LoadUriError {
  const e = err as Error;
  const why = e.name === 'AbortError' || e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message;
  return new LoadUriError(`cannot fetch '${short(uri)}': ${why}`, { cause: err, details: { uri: short(uri) } });
}

export function tooBig(uri: string, size: number, maxBytes: number): LoadUriError {
  return new LoadUriError(
    `'${short(uri)}' is ${size} bytes, over the ${maxBytes}-byte limit (raise maxBytes to allow it)`,
    {
      details: { uri: short(uri), size, maxBytes },
    },
  );
}
