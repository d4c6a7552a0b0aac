// Runs an exported docker-compose file with plain podman commands generated from it, as `podman compose up` would
// (Debian's podman-compose 1.0 ignores `depends_on` conditions, and podman schedules no healthchecks without
// systemd): each service started once what it `depends_on` passed its healthcheck (the others at once), on the
// scope's network with the service name as network alias, the gateway's published ports bound to loopback only.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PodmanScope } from './podman.js';

type Obj = Record<string, any>;

export interface ComposeRun {
  /** host port of each published container port (`ports: ["HOST:CONTAINER"]`), by service. */
  published: Map<string, Map<number, number>>;
  /** container names by service. */
  containers: Map<string, string>;
}

/** Services in an order where each comes after everything it `depends_on`. */
export function startOrder(services: Record<string, Obj>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`depends_on cycle: ${[...path, name].join(' -> ')}`);
    for (const dep of Object.keys(services[name]?.depends_on ?? {})) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return order;
}

/** Seconds of a compose duration (`600s`, `1m30s`). */
function seconds(d: string | undefined, fallback: number): number {
  if (!d) return fallback;
  let s = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(h|m|s|ms)/g)) {
    s += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001 } as Record<string, number>)[unit as string]!;
  }
  return s;
}

export async function composeUp(file: string, scope: PodmanScope): Promise<ComposeRun> {
  const compose = parse(readFileSync(file, 'utf8')) as Obj;
  const services = compose.services as Record<string, Obj>;
  const published = new Map<string, Map<number, number>>();
  const containers = new Map<string, string>();
  const up = new Map<string, Promise<void>>();
  const start = (name: string): Promise<void> => {
    let p = up.get(name);
    if (!p) {
      p = startService(name);
      up.set(name, p);
    }
    return p;
  };
  const startService = async (name: string): Promise<void> => {
    const s = services[name] as Obj;
    const deps = Object.keys(s.depends_on ?? {});
    for (const dep of deps) {
      if (s.depends_on[dep].condition !== 'service_healthy') throw new Error(`${name}: unexpected depends_on`);
    }
    await Promise.all(deps.map(start));
    const options: string[] = ['--network', scope.network, '--network-alias', name];
    if (s.entrypoint) options.push('--entrypoint', JSON.stringify(s.entrypoint));
    for (const [k, v] of Object.entries((s.environment ?? {}) as Record<string, string>)) {
      options.push('--env', `${k}=${v}`);
    }
    const ports = new Map<number, number>();
    for (const p of (s.ports ?? []) as string[]) {
      const [host, inside] = String(p).split(':').map(Number) as [number, number];
      options.push('--publish', `127.0.0.1:${host}:${inside}`);
      ports.set(inside, host);
    }
    for (const v of (s.volumes ?? []) as string[]) {
      const [volume, path] = v.split(':') as [string, string];
      if (!(volume in (compose.volumes ?? {}))) throw new Error(`${name}: ${volume} is not a named volume of the file`);
      options.push('--volume', `${await scope.volume(volume)}:${path}`);
    }
    if (s.stop_grace_period) options.push('--stop-timeout', String(seconds(s.stop_grace_period, 10)));
    const container = await scope.run(name, options, s.image, (s.command ?? []) as string[]);
    containers.set(name, container);
    published.set(name, ports);
    const hc = s.healthcheck as Obj;
    if (hc.test[0] !== 'CMD') throw new Error(`${name}: healthcheck ${hc.test[0]} is not CMD`);
    await scope.healthy(container, hc.test.slice(1), (seconds(hc.start_period, 60) + 30) * 1000);
  };
  await Promise.all(startOrder(services).map(start));
  return { published, containers };
}
