/**
 * Port allocation for runtime processes: each port is chosen up front (bind port 0, read the port, release it), so
 * a replica restarted after a crash comes back on the same address and its peers need no new configuration.
 * Ports handed out by this process are not handed out again while it runs.
 */
import { createServer } from 'node:net';
import { StartupError } from '../errors/index.js';

const handedOut = new Set<number>();

/**
 * A port that is free on `host` right now.
 * @example const port = await freePort('127.0.0.1')
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindZero(host);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new StartupError(`could not find a free port on ${host} that this process has not used yet`);
}

/** `n` distinct free ports on `host`. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort(host));
  return out;
}

/** Mark a port as taken (a user-chosen one), so `freePort` never hands it out. */
export function reservePort(port: number): void {
  handedOut.add(port);
}

function bindZero(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err) =>
      reject(new StartupError(`cannot bind a port on ${host}: ${err.message}`, { cause: err, details: { host } })),
    );
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
