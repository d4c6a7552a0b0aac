/**
 * Where a gateway's tokens come from: the `auth` option (`token`, `tokens`, `tokenEnv`: the name of an
 * environment variable holding them) and the `WEFT_AUTH_TOKEN` environment variable. A variable may hold several
 * tokens separated by commas (rotation: accept the old and the new one for a while). Asking for auth and getting
 * no token is an error, never an open gateway.
 */
import { ConfigError } from '../errors/index.js';

/** The `auth` option of a Flow or gateway, as code writes it (YAML: `token`, `tokens`, `token_env`). */
export interface AuthOptions {
  /** One accepted token. */
  token?: string;
  /** Accepted tokens (several while one is being rotated). */
  tokens?: readonly string[];
  /** The name of an environment variable holding the token(s), comma-separated. */
  tokenEnv?: string;
}

/** The environment variable a gateway reads its token(s) from when set (comma-separated). */
export const AUTH_TOKEN_ENV = 'WEFT_AUTH_TOKEN';
/** The variable a Flow hands its gateway process the resolved tokens in (so no configuration holds them). */
export const GATEWAY_TOKENS_ENV = 'WEFT_GATEWAY_AUTH_TOKENS';
/** The environment variable a Client reads the token it sends from. */
export const CLIENT_TOKEN_ENV = 'WEFT_TOKEN';

/**
 * The accepted tokens, or undefined when auth is off (no `auth` option and no `WEFT_AUTH_TOKEN`); throws
 * `ConfigError` (without any token in it) when `auth` is given but yields no token, or `tokenEnv` is unset.
 * @example resolveAuthTokens({ tokenEnv: 'SHOP_TOKENS' }, process.env)
 */
export function resolveAuthTokens(
  auth: AuthOptions | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  const tokens: string[] = [];
  if (auth?.token !== undefined) tokens.push(auth.token);
  if (auth?.tokens) tokens.push(...auth.tokens);
  if (auth?.tokenEnv !== undefined) {
    const named = splitTokens(env[auth.tokenEnv]);
    if (named.length === 0) {
      throw new ConfigError(
        `auth.tokenEnv names the environment variable ${auth.tokenEnv}, which is not set (or empty): the gateway would have no token`,
        { details: { tokenEnv: auth.tokenEnv } },
      );
    }
    tokens.push(...named);
  }
  tokens.push(...splitTokens(env[AUTH_TOKEN_ENV]));
  if (tokens.length > 0) return [...new Set(tokens)];
  if (auth !== undefined) throw new ConfigError('auth: no token given (give token, tokens or tokenEnv)');
  return undefined;
}

/** The token a Client sends: its option, else `WEFT_TOKEN`, else none. */
export function clientToken(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = option ?? env[CLIENT_TOKEN_ENV];
  return token === undefined || token === '' ? undefined : token;
}

function splitTokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
