/**
 * One HTTP GET over node:http or node:https, for the health, status and dry-run routes a WebSocket gateway serves
 * beside its socket. Not `fetch`: it cannot be told which CA to trust, and a Client with `tls: { ca }` must reach
 * those routes with the same trust as its socket.
 */
import { type IncomingMessage, get as plainGet } from 'node:http';
import { get as secureGet } from 'node:https';
import { type ClientTlsOptions, nodeTlsOptions } from './tls.js';

export interface GetAnswer {
  status: number;
  text: string;
}

/**
 * GET `url`; resolves with the status and body text, rejects with the connection's error, or with an error named
 * `TimeoutError` when the whole exchange takes longer than `timeoutMs`.
 * @example const { status } = await httpGet('https://localhost:8443/', 1000, { ca: readFileSync('cert.pem') })
 */
export function httpGet(
  url: string,
  timeoutMs: number,
  tls?: ClientTlsOptions,
  headers?: Readonly<Record<string, string>>,
): Promise<GetAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise<GetAnswer>((resolve, reject) => {
    // a one-off connection (agent: false): these calls are rare, and nothing is left open behind them
    const options = { agent: false as const, headers: { accept: 'application/json', ...headers } };
    const req = secure
      ? secureGet(target, { ...options, ...nodeTlsOptions(tls) }, answer)
      : plainGet(target, options, answer);
    const timer = setTimeout(() => {
      req.destroy(
        Object.assign(new Error(`GET ${url} did not answer within ${timeoutMs} ms`), { name: 'TimeoutError' }),
      );
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    function answer(res: IncomingMessage): void {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    }
  });
}
