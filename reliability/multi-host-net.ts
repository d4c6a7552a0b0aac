/**
 * The network of the multi-host scenario: one Linux network namespace per "host" joined to the root namespace by a
 * veth pair (`ip netns` + `ip link`, root only), a link cut by `ip link set … down` (packets dropped, no reset) and
 * restored by `up`, and a small TCP proxy that adds latency (this kernel has no `netem`). Names carry the owner's pid
 * (`weft-mh-<pid>-<i>`), so parallel runs cannot clash and a run killed before its clean-up is cleaned by the next
 * one. `removeAll()` kills what runs inside the namespaces and deletes them (the veth pairs go with them); it also
 * runs on exit.
 */
import { execFileSync } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { isAlive } from '@weft-ai/weft/testing';

const PREFIX = 'weft-mh-';

export interface NetHost {
  /** The namespace's name, for `ip netns exec`. */
  ns: string;
  /** The root namespace's end of the veth pair (the link to cut). */
  link: string;
  /** The address of the host, inside its namespace, reached from the root namespace over the veth pair. */
  address: string;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why the scenario cannot run here (not root, no `ip`, no netns support), or undefined. */
export function netUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    ip('netns', 'list');
    return undefined;
  } catch (err) {
    return `\`ip netns\` is not usable here (${(err as Error).message.split('\n')[0]}); apt-get install iproute2`;
  }
}

/** Kill every process inside `ns` and delete it (its veth pair goes with it). Never throws. */
function removeNamespace(ns: string): void {
  try {
    for (const pid of ip('netns', 'pids', ns).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {}
    }
    ip('netns', 'del', ns);
  } catch {}
}

/** Delete namespaces left by runs whose process is gone (a run SIGKILLed by the runner's time limit). */
export function removeStale(): void {
  const names = ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '');
  for (const ns of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)-\\d+$`).exec(ns);
    if (m && !isAlive(Number(m[1]))) removeNamespace(ns);
  }
}

const made: string[] = [];
let hooked = false;

/** Remove every namespace this process made. */
export function removeAll(): void {
  for (const ns of made.splice(0)) removeNamespace(ns);
}

/**
 * `count` hosts: a namespace each, its loopback up, and a /30 of 10.X.Y.0/24 on its veth pair (X.Y random, picked
 * so that no address of the root namespace is in it).
 */
export function makeHosts(count: number): NetHost[] {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAll);
  }
  const inUse = ip('-o', '-4', 'addr', 'show');
  let x = 0;
  let y = 0;
  do {
    x = 100 + Math.floor(Math.random() * 150);
    y = Math.floor(Math.random() * 256);
  } while (inUse.includes(` 10.${x}.${y}.`));
  const tag = (process.pid % 0x10000).toString(16).padStart(4, '0');
  const hosts: NetHost[] = [];
  for (let i = 0; i < count; i++) {
    const ns = `${PREFIX}${process.pid}-${i}`;
    const link = `wm${tag}${i}r`; // 15 characters at most
    const peer = `wm${tag}${i}h`;
    const [near, far] = [`10.${x}.${y}.${4 * i + 1}`, `10.${x}.${y}.${4 * i + 2}`];
    removeNamespace(ns);
    try {
      ip('link', 'del', link);
    } catch {}
    ip('netns', 'add', ns);
    made.push(ns);
    ip('link', 'add', link, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', peer, 'netns', ns);
    ip('addr', 'add', `${near}/30`, 'dev', link);
    ip('link', 'set', link, 'up');
    ip('-n', ns, 'addr', 'add', `${far}/30`, 'dev', peer);
    ip('-n', ns, 'link', 'set', peer, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    hosts.push({ ns, link, address: far });
  }
  return hosts;
}

/** Cut (`down`: packets dropped, no reset sent) or restore a host's link. */
export function setLink(host: NetHost, up: boolean): void {
  ip('link', 'set', host.link, up ? 'up' : 'down');
}

/**
 * A TCP proxy that delays every chunk by `delayMs` in each direction (order kept: equal timers fire in order).
 * Listens on `listenHost:port` and forwards to `targetHost:port`, for each port of `ports`.
 */
export class DelayProxy {
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();

  static async start(listenHost: string, targetHost: string, ports: number[], delayMs: number): Promise<DelayProxy> {
    const p = new DelayProxy();
    for (const port of ports) {
      const server = createServer((down) => {
        const up = connect({ host: targetHost, port, noDelay: true });
        down.setNoDelay(true);
        for (const s of [down, up]) {
          p.#sockets.add(s);
          s.on('close', () => p.#sockets.delete(s));
          s.on('error', () => {});
        }
        const pipe = (from: Socket, to: Socket): void => {
          from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs));
          from.on('end', () => setTimeout(() => to.end(), delayMs));
          from.on('close', () => setTimeout(() => to.destroy(), delayMs));
        };
        pipe(down, up);
        pipe(up, down);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, listenHost, () => resolve());
      });
      p.#servers.push(server);
    }
    return p;
  }

  close(): void {
    for (const s of this.#servers) s.close();
    for (const s of this.#sockets) s.destroy();
  }
}
