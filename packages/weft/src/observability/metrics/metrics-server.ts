/**
 * The `/metrics` HTTP endpoint of one runtime: `GET /metrics` answers the registry's text exposition, anything
 * else 404. Plain `node:http`, bound on the runtime's host and its `port_monitoring`.
 */
import { createServer, type Server } from 'node:http';
import { StartupError } from '../../errors/index.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function serveMetrics(
  host: string,
  port: number,
  exposition: () => Promise<string>,
  contentType: string,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    exposition().then(
      (text) => res.writeHead(200, { 'content-type': contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new StartupError(`cannot serve /metrics on ${host}:${port}: ${err.message}`, {
          cause: err,
          details: { host, port },
        }),
      ),
    );
    server.listen({ host, port }, () => resolve());
  });
  server.unref();
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
