/**
 * The docker-compose file of a deployment plan: one service per replica, shard, head and uses_before/uses_after
 * executor, and the gateway, each running the real `weft` command with a `weft ping` healthcheck; the gateway
 * publishes its ports and waits (`depends_on: condition: service_healthy`) for what it routes to; a stateful
 * executor gets a named volume (each of its containers works in its own folder of it).
 */
import { stringify } from 'yaml';
import { K8S_MONITORING_PORT as MONITORING_PORT } from '../../observability/metrics/index.js';
import { CLIENT_ENV, executorArgs, gatewayArgs, headArgs, pingCommand, WEFT } from '../commands.js';
import type { ContainerExecutor } from '../containerize.js';
import type { DeployPlan, PlannedExecutor } from '../deploy-plan.js';
import { WORKSPACE_DIR } from '../deploy-plan.js';
import { COMPOSE_TLS_FILES, COMPOSE_TLS_SECRETS, tcpCheck } from '../deploy-security.js';

/** Executors and heads listen on this port inside their containers (Jina's compose port). */
export const COMPOSE_PORT = 8081;
/** The gateway's first container port (more protocols take the next ones). */
export const GATEWAY_PORT = 8080;
/** Every monitored runtime's `/metrics` port inside its container (exposed to the compose network). */
export const COMPOSE_MONITORING_PORT = MONITORING_PORT;

type Obj = Record<string, unknown>;

export function composeFile(plan: DeployPlan): Obj {
  const services: Obj = {};
  const volumes: Obj = {};
  const addresses: Record<string, string[]> = {};
  const gatewayNeeds: string[] = [];
  for (const e of plan.executors) {
    const entry = executorServices(e, plan, services, volumes);
    addresses[e.name] = entry.map((s) => `grpc://${s}:${COMPOSE_PORT}`);
    gatewayNeeds.push(...entry);
  }
  for (const x of plan.externals) addresses[x.name] = x.addresses;
  const g = plan.gateway;
  const ports = g.protocols.map((_, i) => GATEWAY_PORT + i);
  const auth = g.auth
    ? // compose fills it from its own environment (the shell or an .env file) at `up`, and refuses to start without
      { [g.auth.tokenEnv]: `\${${g.auth.tokenEnv}:?set ${g.auth.tokenEnv} to the gateway's token(s)}` }
    : {};
  services.gateway = {
    image: plan.options.gatewayImage,
    entrypoint: [WEFT],
    command: gatewayArgs(plan, addresses, ports, {
      ...(g.monitoring ? { portMonitoring: COMPOSE_MONITORING_PORT } : {}),
      ...(plan.internalTls ? { internalTls: COMPOSE_TLS_FILES } : {}),
    }),
    environment: { ...g.env, ...CLIENT_ENV, ...auth },
    ports: g.protocols.map((_, i) => `${g.publishedPorts[i]}:${ports[i]}`),
    ...(g.monitoring ? { expose: [String(COMPOSE_MONITORING_PORT)] } : {}),
    ...tlsSecrets(plan, 'gateway'),
    healthcheck: healthcheck(pingCommand('gateway', g.protocols[0] as string, ports[0] as number), 600_000),
    ...dependsOn(gatewayNeeds),
    stop_grace_period: '60s',
    restart: 'unless-stopped',
  };
  return {
    services,
    ...(Object.keys(volumes).length > 0 ? { volumes } : {}),
    ...(plan.internalTls
      ? { secrets: Object.fromEntries(Object.values(COMPOSE_TLS_SECRETS).map((s) => [s.name, { file: s.file }])) }
      : {}),
  };
}

/** The internal TLS secrets a service mounts (under /run/secrets/): all three, or the CA alone for the gateway. */
function tlsSecrets(plan: DeployPlan, role: 'runtime' | 'gateway'): Obj {
  if (!plan.internalTls) return {};
  const s = COMPOSE_TLS_SECRETS;
  return { secrets: role === 'gateway' ? [s.ca.name] : [s.cert.name, s.key.name, s.ca.name] };
}

/** Monitoring and internal TLS of an executor's or head's container: its arguments, ports, secrets, check. */
function runtimeExtras(plan: DeployPlan, e: PlannedExecutor): { args: Obj; service: Obj; check: string[] | undefined } {
  const tls = plan.internalTls ? COMPOSE_TLS_FILES : undefined;
  return {
    args: {
      ...(e.monitoring ? { portMonitoring: COMPOSE_MONITORING_PORT } : {}),
      ...(tls ? { internalTls: tls } : {}),
    },
    service: tlsSecrets(plan, 'runtime'),
    check: tls ? tcpCheck(COMPOSE_PORT) : undefined,
  };
}

/** The compose file as YAML text. */
export function composeYaml(plan: DeployPlan): string {
  return stringify(composeFile(plan), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Add the services of one executor; returns the services the gateway dials (the head, or every replica). */
function executorServices(e: PlannedExecutor, plan: DeployPlan, services: Obj, volumes: Obj): string[] {
  const volume = `${e.dns}-workspace`;
  if (e.stateful) volumes[volume] = {};
  const extras = runtimeExtras(plan, e);
  const check = extras.check ?? pingCommand('executor', 'grpc', COMPOSE_PORT);
  const expose = [String(COMPOSE_PORT), ...(e.monitoring ? [String(COMPOSE_MONITORING_PORT)] : [])];
  const worker = (name: string, c: ContainerExecutor, runtime: string, stateful: boolean): void => {
    services[name] = {
      image: c.image,
      entrypoint: [WEFT],
      command: executorArgs(inline(c), {
        name: runtime,
        port: COMPOSE_PORT,
        ...(stateful ? { workspace: `${WORKSPACE_DIR}/${name}` } : {}),
        ...extras.args,
      }),
      ...(Object.keys(e.env).length > 0 ? { environment: { ...e.env } } : {}),
      expose,
      ...(stateful ? { volumes: [`${volume}:${WORKSPACE_DIR}`] } : {}),
      ...extras.service,
      healthcheck: healthcheck(check, e.timeoutReadyMs),
      ...deploy(e),
      stop_grace_period: '60s',
      restart: 'unless-stopped',
    };
  };
  const shards: string[][] = [];
  for (let s = 0; s < e.shards; s++) {
    const replicas: string[] = [];
    for (let r = 0; r < e.replicas; r++) {
      const name = e.head ? `${e.dns}-shard-${s}-rep-${r}` : `${e.dns}-rep-${r}`;
      worker(name, e.container, e.name, e.stateful);
      replicas.push(name);
    }
    shards.push(replicas);
  }
  if (!e.head) return shards.flat();
  const sidecar = (role: 'uses-before' | 'uses-after', c: ContainerExecutor | undefined): string | undefined => {
    if (!c) return undefined;
    const name = `${e.dns}-${role}`;
    worker(name, c, `${e.name}/${role}`, false);
    return name;
  };
  const before = sidecar('uses-before', e.usesBefore);
  const after = sidecar('uses-after', e.usesAfter);
  const head = `${e.dns}-head`;
  services[head] = {
    image: plan.options.gatewayImage,
    entrypoint: [WEFT],
    command: headArgs(e, {
      port: COMPOSE_PORT,
      shards: shards.map((replicas) => replicas.map((r) => `${r}:${COMPOSE_PORT}`)),
      ...(before ? { usesBefore: `${before}:${COMPOSE_PORT}` } : {}),
      ...(after ? { usesAfter: `${after}:${COMPOSE_PORT}` } : {}),
      ...extras.args,
    }),
    environment: { ...CLIENT_ENV },
    expose,
    ...extras.service,
    healthcheck: healthcheck(check, e.timeoutReadyMs),
    ...dependsOn([...shards.flat(), ...(before ? [before] : []), ...(after ? [after] : [])]),
    stop_grace_period: '60s',
    restart: 'unless-stopped',
  };
  return [head];
}

/** In compose the executor YAML travels inline in `--uses` (no file to mount); a docker:// image keeps its own. */
function inline(c: ContainerExecutor): ContainerExecutor {
  return c.executorYaml ? { ...c, uses: stringify(c.executorYaml, { lineWidth: 0, aliasDuplicateObjects: false }) } : c;
}

function healthcheck(test: string[], timeoutReadyMs: number): Obj {
  return {
    test: ['CMD', ...test],
    interval: '5s',
    timeout: '10s',
    retries: 3,
    start_period: `${Math.max(Math.ceil(timeoutReadyMs / 1000), 10)}s`,
  };
}

function dependsOn(names: string[]): Obj {
  if (names.length === 0) return {};
  return { depends_on: Object.fromEntries(names.map((n) => [n, { condition: 'service_healthy' }])) };
}

/** CPU/memory limits and reservations, GPUs as an nvidia device reservation. */
function deploy(e: PlannedExecutor): Obj {
  const conv = (r: Record<string, string | number> | undefined): Obj => {
    const out: Obj = {};
    if (r?.cpu !== undefined) out.cpus = cpus(r.cpu);
    if (r?.memory !== undefined) out.memory = memory(r.memory);
    return out;
  };
  const limits = conv(e.resources?.limits);
  const reservations: Obj = conv(e.resources?.requests);
  if (e.gpus) reservations.devices = [{ driver: 'nvidia', count: e.gpus, capabilities: ['gpu'] }];
  const resources: Obj = {};
  if (Object.keys(limits).length > 0) resources.limits = limits;
  if (Object.keys(reservations).length > 0) resources.reservations = reservations;
  return Object.keys(resources).length > 0 ? { deploy: { resources } } : {};
}

/** Kubernetes CPU (`500m`, `2`) as compose `cpus` (`'0.5'`, `'2'`). */
function cpus(v: string | number): string {
  const s = String(v);
  return s.endsWith('m') ? String(Number(s.slice(0, -1)) / 1000) : s;
}

/** Kubernetes memory (`512Mi`, `1Gi`, `1G`) as compose's (`512m`, `1g`). */
function memory(v: string | number): string {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(v));
  if (!m) return String(v);
  const unit = (m[2] ?? '').charAt(0).toLowerCase();
  return `${m[1]}${unit === '' ? 'b' : unit}`;
}
