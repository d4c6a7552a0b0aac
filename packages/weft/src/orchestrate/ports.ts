/**
 * Port allocation for runtime processes: each port is chosen up front (bind it, release it), so a replica
 * restarted after a crash comes back on the same address and its peers need no new configuration. Ports handed
 * out by this process are not handed out again while it runs.
 *
 * A chosen port stays unbound until its runtime starts. Were it taken from the kernel's ephemeral range (what
 * binding port 0 returns), any outgoing connection or `bind(0)` on the machine could take it meanwhile — on a busy
 * host that happens (seen as EADDRINUSE at start). So on Linux ports are picked at random below the ephemeral range
 * (`net.ipv4.ip_local_port_range`), where only an explicit bind can take them.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { StartupError } from '../errors/index.js';

const handedOut = new Set<number>();
/** Below this no port is picked (registered services crowd the low range). */
const LOWEST = 10_000;

/** The range to pick from, `[from, to)`, or undefined where the ephemeral range is unknown or leaves no room. */
const pickRange = ((): [number, number] | undefined => {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && low - LOWEST >= 1000 ? [LOWEST, low] : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * A port that is free on `host` right now.
 * @example const port = await freePort('127.0.0.1')
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindFree(host, attempt < 40 ? pickRange : undefined);
    if (port !== undefined && !handedOut.has(port)) {
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

/** Bind a random port of `range` (port 0 without one) and release it; undefined when that port is taken. */
function bindFree(host: string, range: [number, number] | undefined): Promise<number | undefined> {
  const wanted = range ? range[0] + Math.floor(Math.random() * (range[1] - range[0])) : 0;
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (wanted !== 0 && (err.code === 'EADDRINUSE' || err.code === 'EACCES')) return resolve(undefined);
      reject(new StartupError(`cannot bind a port on ${host}: ${err.message}`, { cause: err, details: { host } }));
    });
    server.listen({ host, port: wanted, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
