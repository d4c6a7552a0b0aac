/**
 * Token authentication of a gateway: the tokens it accepts (several, so a token can be rotated without a
 * moment when none works) and the one check every protocol makes, on the bearer token of a request's
 * `authorization` header (HTTP, the WebSocket upgrade, GraphQL) or metadata (gRPC). The tokens are kept only as
 * SHA-256 digests; a presented token is hashed and compared with every accepted digest by
 * `crypto.timingSafeEqual`, all of them each time, so neither the answer nor its timing says how close a token
 * was. A refusal is an `UnauthenticatedError` whose message never holds the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, UnauthenticatedError } from '../errors/index.js';

/** Headers as a protocol has them (node:http's, gRPC metadata's map, or already lower-cased strings). */
export type HeaderSource = Readonly<Record<string, string | string[] | Buffer | number | undefined>>;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The shortest token accepted: a shorter one is too easy to guess. */
export const MIN_TOKEN_LENGTH = 8;

export class TokenAuth {
  readonly #digests: Buffer[];

  /**
   * Throws `ConfigError` without tokens, or for a token that is shorter than `MIN_TOKEN_LENGTH` or holds
   * whitespace (it could not travel in a header) or a comma (variables list tokens comma-separated); the message
   * never holds the token.
   * @example const auth = new TokenAuth(['s3cr3t-token-1', 'the-next-token'])
   */
  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new ConfigError('auth: no token given (give token, tokens or tokenEnv)');
    tokens.forEach((t, i) => {
      if (t.length < MIN_TOKEN_LENGTH || /[\s,]/.test(t)) {
        throw new ConfigError(
          `auth: token #${i + 1} is refused: a token has at least ${MIN_TOKEN_LENGTH} characters, no whitespace and no comma`,
        );
      }
    });
    this.#digests = [...new Set(tokens)].map(digest);
  }

  /** How many distinct tokens are accepted. */
  get size(): number {
    return this.#digests.length;
  }

  /** Whether `token` is one of the accepted tokens (constant time over the accepted digests). */
  accepts(token: string): boolean {
    const presented = digest(token);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(presented, d) || ok;
    return ok;
  }

  /**
   * Refuse a request whose headers carry no accepted bearer token: `UnauthenticatedError` (401 /
   * UNAUTHENTICATED), saying only whether a token was missing or not accepted.
   * @example auth.check({ authorization: 'Bearer s3cr3t-token-1' })
   */
  check(headers: HeaderSource, where = 'the gateway'): void {
    const token = bearerToken(headers);
    if (token === undefined) {
      throw new UnauthenticatedError(
        `${where} wants a token: send the header 'Authorization: Bearer <token>' (the Client's token option or WEFT_TOKEN)`,
      );
    }
    if (!this.accepts(token)) throw new UnauthenticatedError(`${where} does not accept the token sent`);
  }
}

/** The bearer token of `headers`' `authorization` (any case), or undefined when there is none. */
export function bearerToken(headers: HeaderSource): string | undefined {
  let value = headers.authorization;
  if (value === undefined) {
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'authorization') value = v;
  }
  const text = Array.isArray(value) ? value[0] : Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (typeof text !== 'string') return undefined;
  return BEARER.exec(text)?.[1];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
