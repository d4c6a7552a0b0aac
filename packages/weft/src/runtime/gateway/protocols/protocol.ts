/**
 * Gateway protocols are plug-ins: each implements `ProtocolServer` over the protocol-independent `Gateway` core,
 * registered by name (`grpc`, `http`, `websocket`) and resolved when a gateway starts.
 */
import { ConfigError } from '../../../errors/index.js';
import type { Gateway } from '../gateway.js';
import type { ServerTls } from '../gateway-tls.js';

export interface ProtocolServerOptions {
  host: string;
  port: number;
  /** Largest accepted message or body, in bytes (-1: unlimited). */
  maxMessageBytes?: number;
  /** Serve TLS with this certificate and key (plain text without). */
  tls?: ServerTls;
  /** Protocol-specific options (HTTP: cors, title, description, exposeEndpoints…). */
  [key: string]: unknown;
}

export interface ProtocolServer {
  readonly protocol: string;
  /** Bind and serve; resolves with the bound port. */
  start(): Promise<number>;
  /** Stop accepting, let requests under way finish (up to `graceMs`), close. */
  stop(graceMs: number): Promise<void>;
}

/** Builds a protocol server; may be async so that a protocol's libraries load only when a gateway uses it. */
export type ProtocolFactory = (
  gateway: Gateway,
  options: ProtocolServerOptions,
) => ProtocolServer | Promise<ProtocolServer>;

const protocols = new Map<string, ProtocolFactory>();

/** Make a protocol available to gateways (`protocol: 'name'`). */
export function registerProtocol(name: string, factory: ProtocolFactory): void {
  protocols.set(name, factory);
}

export function resolveProtocol(name: string): ProtocolFactory {
  const f = protocols.get(name);
  if (!f) throw new ConfigError(`unknown gateway protocol '${name}'; available: ${[...protocols.keys()].join(', ')}`);
  return f;
}

export function protocolNames(): string[] {
  return [...protocols.keys()];
}
