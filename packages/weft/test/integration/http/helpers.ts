// Helpers for the HTTP gateway tests: a gateway serving HTTP in this process over in-process workers, and a
// small JSON-over-fetch client that keeps status, headers and body together.
import { type GatewayConfigInput, GatewayServer, parseGatewayConfig } from '../../../src/runtime/gateway/index.js';

export interface TestGateway {
  server: GatewayServer;
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  stop(): Promise<void>;
}

/** Start a GatewayServer with an HTTP protocol on a free port (plus whatever else `config.protocols` lists). */
export async function startHttpGateway(
  config: Omit<GatewayConfigInput, 'protocols' | 'host'> & { protocols?: GatewayConfigInput['protocols'] },
): Promise<TestGateway> {
  const server = new GatewayServer(
    parseGatewayConfig({ host: '127.0.0.1', protocols: [{ protocol: 'http', port: 0 }], ...config }),
  );
  const bound = await server.start();
  const port = bound.find((b) => b.protocol === 'http')?.port as number;
  return { server, port, base: `http://127.0.0.1:${port}`, stop: () => server.stop(2000) };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON (undefined when it is not JSON). */
  json: unknown;
}

/** One HTTP exchange; objects are sent as JSON, strings as they are (with a JSON content type either way). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Shorthand for the parts of Jina's JSON response the tests read. */
export interface ResponseJson {
  header: {
    requestId: string;
    execEndpoint: string;
    targetExecutor: string;
    status?: { code: number; description: string; exception?: { name: string; args: string[]; executor: string } };
  };
  parameters: Record<string, unknown>;
  routes: { executor: string; startTime?: string; endTime?: string }[];
  data: { id: string; text?: string; tags?: Record<string, unknown>; matches?: unknown[] }[];
  detail?: string;
  field?: string;
}
