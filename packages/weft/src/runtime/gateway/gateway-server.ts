/**
 * GatewayServer: the Gateway core behind every configured protocol, each on its own port. `start()` binds them
 * all (or fails naming the protocol and port), serving TLS on each when `sslCertfile`/`sslKeyfile` are set and
 * wanting a token on each when `auth` (or `WEFT_AUTH_TOKEN`) gives one;
 * `stop()` stops accepting, lets requests finish, waits for floating executors, and closes the connections to
 * executors.
 */
import type { Filter } from '../../document/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type GatewayLimits, limitsInterceptor, resolveLimits } from '../../limits/index.js';
import { internalCredentials } from '../../networking/index.js';
import { resolveAuthTokens, TokenAuth } from '../../security/index.js';
import { loadInterceptors } from '../user-modules.js';
import { Gateway } from './gateway.js';
import type { GatewayConfig } from './gateway-config.js';
import { loadServerTls } from './gateway-tls.js';
import type { GatewayContext } from './interceptors.js';
import { type ProtocolServer, resolveProtocol } from './protocols/index.js';

export interface BoundProtocol {
  protocol: string;
  port: number;
  /** Whether it serves TLS (`sslCertfile`/`sslKeyfile`). */
  tls: boolean;
}

export class GatewayServer {
  readonly gateway: Gateway;
  /** The limits every request is checked against (`limits`, defaults filled in). */
  readonly limits: GatewayLimits;
  readonly #config: GatewayConfig;
  readonly #servers: ProtocolServer[] = [];
  #bound: BoundProtocol[] = [];

  constructor(config: GatewayConfig) {
    this.#config = config;
    this.gateway = new Gateway({
      name: config.name,
      graph: config.graph,
      addresses: config.addresses,
      ...(config.conditions ? { conditions: config.conditions as Record<string, Filter> } : {}),
      ...(config.noReduce ? { noReduce: config.noReduce } : {}),
      ...(config.timeoutSend !== undefined ? { timeoutSend: config.timeoutSend } : {}),
      ...(config.retries !== undefined ? { retries: config.retries } : {}),
      ...(config.prefetch !== undefined ? { prefetch: config.prefetch } : {}),
      // internal TLS: the executors serve TLS with certificates this CA signed
      ...(config.internalCafile ? { credentials: internalCredentials(config.internalCafile) } : {}),
    });
    // the limits run first, so a refused request costs nothing further (and never reaches user interceptors)
    this.limits = resolveLimits(config.limits);
    this.gateway.use(limitsInterceptor(this.limits));
  }

  /** Protocols and the ports they listen on (after `start()`). */
  get bound(): readonly BoundProtocol[] {
    return this.#bound;
  }

  async start(): Promise<BoundProtocol[]> {
    try {
      const { sslCertfile, sslKeyfile } = this.#config;
      const tls = sslCertfile && sslKeyfile ? loadServerTls(sslCertfile, sslKeyfile) : undefined;
      for (const i of await loadInterceptors<GatewayContext>(this.#config.interceptors, this.#config.cwd)) {
        this.gateway.use(i);
      }
      // token auth (the `auth` option or WEFT_AUTH_TOKEN): a guard every protocol runs before serving a call
      const tokens = resolveAuthTokens(this.#config.auth);
      if (tokens) {
        const auth = new TokenAuth(tokens);
        const where = `gateway ${this.gateway.name}`;
        this.gateway.guard(({ headers }) => auth.check(headers, where));
      }
      for (const { protocol, port } of this.#config.protocols) {
        const server = await resolveProtocol(protocol)(this.gateway, {
          ...(this.#config.cwd !== undefined ? { cwd: this.#config.cwd } : {}),
          ...this.#config.protocolOptions,
          host: this.#config.host,
          port,
          maxMessageBytes: this.#config.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
          limits: this.limits,
          ...(tls ? { tls } : {}),
        });
        const bound = await server.start();
        this.#servers.push(server);
        this.#bound.push({ protocol, port: bound, tls: tls !== undefined });
      }
      // learn every executor's endpoints now, while they are idle: routing skips an executor only for endpoints
      // it is known not to serve, and a discovery first asked of a saturated executor can time out, after which
      // it would be sent every endpoint (behind its own backlog). Never rejects; unanswered ones are asked again.
      void this.gateway.discovery();
    } catch (err) {
      await this.stop(0);
      throw err;
    }
    return this.#bound;
  }

  async stop(graceMs = this.#config.shutdownGraceMs ?? 10_000): Promise<void> {
    await Promise.all(this.#servers.map((s) => s.stop(graceMs)));
    await this.gateway.close();
  }
}
