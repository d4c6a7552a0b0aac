/**
 * Deployment: one Executor served as replicas × shards of worker processes (each its own OS process), with a head
 * process in front when there is more than one, reachable at ONE address. `start()` waits until every runtime is
 * ready (or fails with the executor's own error, stopping what started); crashed runtimes are restarted on the
 * same port; `close()` stops every process, and none outlives the parent.
 *
 * @example
 * await using dep = await new Deployment({ uses: MyExec, replicas: 2 }).start();
 * const docs = await dep.post('/index', new DocumentArray([{ text: 'hello' }]));
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { parseDeploymentOptions, validateHeadConfig, validateWorkerConfig } from '../config/index.js';
import { type Document, DocumentArray, type DocumentInit, type JsonObject } from '../document/index.js';
import { ConfigError, errorFromStatus, NotStartedError, StartupError } from '../errors/index.js';
import { callerModule, offerForCapture, pauseForCapture } from '../executor/index.js';
import { internalCredentials, RuntimeClient } from '../networking/index.js';
import { observabilityEnv } from '../observability/index.js';
import { DataRequest } from '../request/index.js';
import { HEAD_CONFIG_ENV, headEntry } from '../runtime/head/index.js';
import { PARENT_PID_ENV } from '../runtime/parent-watch.js';
import { WORKER_CONFIG_ENV, workerEntry } from '../runtime/worker/index.js';
import {
  type ContainerLaunch,
  checkContainerEngine,
  containerLaunch,
  containerRequired,
  isImageUses,
} from './container-run.js';
import type { DeploymentOptions, ParsedDeploymentOptions } from './deployment-options.js';
import {
  type DeploymentPlan,
  type PlannedRuntime,
  planDeployment,
  portsNeeded,
  type RuntimeRole,
} from './deployment-plan.js';
import { loadDeploymentYaml } from './deployment-yaml.js';
import { freePorts, reservePort } from './ports.js';
import { RuntimeProcess, type RuntimeState } from './runtime-process.js';
import { checkUsesYaml, usesForChild } from './uses-spec.js';

export interface PostOptions {
  parameters?: JsonObject;
  /** Regex over executor names; only matching executors process the request. */
  targetExecutor?: string;
  timeoutMs?: number;
  metadata?: Record<string, string>;
}

/** One runtime process of a running Deployment. */
export interface RuntimeInfo {
  role: RuntimeRole;
  name: string;
  shardId?: number;
  replicaId?: number;
  address: string;
  /** The port of its Prometheus `/metrics` endpoint (with `monitoring: true`). */
  portMonitoring?: number;
  pid: number | undefined;
  state: RuntimeState;
}

/**
 * Events: `spawn` ({ runtime, pid }: a runtime process was forked), `exit` ({ runtime, code, signal }: a runtime
 * died unexpectedly), `restarting` ({ runtime, attempt, delayMs }), `restarted` ({ runtime, pid }),
 * `restart-failed` ({ runtime, error }).
 */
export class Deployment extends EventEmitter {
  readonly name: string;
  readonly options: Readonly<ParsedDeploymentOptions>;
  readonly #callSite: string | undefined;
  readonly #capturing: boolean;
  #plan: DeploymentPlan | undefined;
  #processes: RuntimeProcess[] = [];
  #client: RuntimeClient | undefined;
  #starting: Promise<this> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: DeploymentOptions) {
    super();
    // in a worker process loading a class from this very script: hand the classes over, start nothing
    this.#capturing = offerForCapture(options?.uses, options?.usesBefore, options?.usesAfter);
    this.options = Object.freeze({ ...parseDeploymentOptions(options) });
    this.name = options.name ?? 'executor';
    this.#callSite = callerModule(new Error().stack);
  }

  /**
   * A Deployment from a YAML file (`jtype: Deployment`, options under `with:` in snake_case, `${{ ENV.X }}`
   * substituted, relative `uses` resolved against the file's folder).
   * @example const dep = Deployment.load('deployment.yml')
   */
  static load(file: string, options: { env?: Record<string, string | undefined> } = {}): Deployment {
    return new Deployment(loadDeploymentYaml(file, options));
  }

  /** `host:port` callers reach the deployment on (known once started). */
  get address(): string {
    if (!this.#plan) throw new NotStartedError(`Deployment '${this.name}' is not started: await dep.start() first`);
    return this.#plan.entry.address;
  }

  /** The port callers reach the deployment on (known once started). */
  get port(): number {
    if (!this.#plan) throw new NotStartedError(`Deployment '${this.name}' is not started: await dep.start() first`);
    return this.#plan.entry.port;
  }

  /** A client to the deployment's address (its head, or its only worker). */
  get client(): RuntimeClient {
    if (!this.#client) throw new NotStartedError(`Deployment '${this.name}' is not started: await dep.start() first`);
    return this.#client;
  }

  /** Every runtime process, with its current pid and state. */
  get runtimes(): RuntimeInfo[] {
    const planned = this.#plan?.runtimes ?? [];
    return planned.map((r, i) => ({
      role: r.role,
      name: r.name,
      ...(r.shardId !== undefined ? { shardId: r.shardId, replicaId: r.replicaId as number } : {}),
      address: r.address,
      ...(r.portMonitoring !== undefined ? { portMonitoring: r.portMonitoring } : {}),
      pid: this.#processes[i]?.pid,
      state: this.#processes[i]?.state ?? 'idle',
    }));
  }

  /** Start every runtime and wait until all are ready; rejects with `StartupError` (nothing left running). */
  start(): Promise<this> {
    if (this.#capturing) return pauseForCapture(`Deployment '${this.name}'`);
    if (this.#closing && !this.#starting) {
      return Promise.reject(new StartupError(`Deployment '${this.name}' was closed; create a new one to start again`));
    }
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /**
   * Restart the worker processes (not the head, which loads no executor code) one after the other, so a replicated
   * executor keeps serving meanwhile: each loads the executor's code again on the same address, and callers
   * reconnect. Resolves with the new pids; rejects with the first worker's `StartupError` that fails to start.
   * @example await dep.restartWorkers() // after editing the executor's source
   */
  async restartWorkers(graceMs = this.options.closeTimeoutMs ?? 10_000): Promise<number[]> {
    const pids: number[] = [];
    for (const [i, p] of this.#processes.entries()) {
      if (this.#plan?.runtimes[i]?.role === 'head') continue;
      const pid = await p.restart(graceMs);
      if (pid !== undefined) pids.push(pid);
    }
    return pids;
  }

  /** Send documents to `endpoint`; resolves with the resulting documents (an executor error is thrown). */
  async post(
    endpoint: string,
    docs: DocumentArray | Iterable<Document | DocumentInit> = new DocumentArray(),
    options: PostOptions = {},
  ): Promise<DocumentArray> {
    return (await this.request(endpoint, docs, options)).docs;
  }

  /** Like `post`, but resolves with the whole answer (parameters with `__results__`, routes). */
  async request(
    endpoint: string,
    docs: DocumentArray | Iterable<Document | DocumentInit> = new DocumentArray(),
    options: PostOptions = {},
  ): Promise<DataRequest> {
    const req = new DataRequest({
      header: { execEndpoint: endpoint, ...(options.targetExecutor ? { targetExecutor: options.targetExecutor } : {}) },
      parameters: options.parameters ?? {},
      docs: docs instanceof DocumentArray ? docs : new DocumentArray(docs),
    });
    const res = await this.client.processSingleData(req, {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    });
    if (res.isError && res.status) throw errorFromStatus(res.status);
    return res;
  }

  /** Stop every runtime (SIGTERM, then SIGKILL after `closeTimeoutMs`); idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #start(): Promise<this> {
    const o = this.options;
    const cwd = o.cwd ?? process.cwd();
    const where = { cwd, ...(this.#callSite ? { callSite: this.#callSite } : {}) };
    const [uses, usesBefore, usesAfter] = await Promise.all([
      usesForChild(o.uses, where),
      o.usesBefore !== undefined ? usesForChild(o.usesBefore, where) : undefined,
      o.usesAfter !== undefined ? usesForChild(o.usesAfter, where) : undefined,
    ]);
    if (o.container === undefined && [uses, usesBefore, usesAfter].some(isImageUses))
      throw containerRequired(this.name, o);
    // an executor YAML is validated here, so that its worker processes only decode it (and never load zod)
    const childEnv = { ...process.env, ...o.env };
    for (const u of [uses, usesBefore, usesAfter]) if (u !== undefined) checkUsesYaml(u, childEnv);
    const host = o.host ?? '127.0.0.1';
    const fixed = o.port || undefined; // 0: a free port, like no port
    if (fixed !== undefined) reservePort(fixed);
    const ports = await freePorts(portsNeeded(o) - (fixed !== undefined ? 1 : 0), host);
    // native-transport ports too: a runtime binding a free port of its own could take one handed out to another
    const nativePorts = await freePorts(portsNeeded(o), host);
    const monitoringPorts = o.monitoring ? await this.#monitoringPorts(portsNeeded(o), host) : undefined;
    if (this.#closing) throw new StartupError(`Deployment '${this.name}' was closed while starting`);
    const plan = planDeployment({
      name: this.name,
      options: o,
      uses,
      ...(usesBefore !== undefined ? { usesBefore } : {}),
      ...(usesAfter !== undefined ? { usesAfter } : {}),
      ports: fixed !== undefined ? [fixed, ...ports] : ports,
      nativePorts,
      ...(monitoringPorts ? { monitoringPorts } : {}),
      cwd,
      shutdownGraceMs: Math.max(0, (o.closeTimeoutMs ?? 10_000) - 500),
    });
    // every runtime's configuration is validated here, once; the processes only decode it
    for (const r of plan.runtimes) (r.role === 'head' ? validateHeadConfig : validateWorkerConfig)(r.config);
    const launches = await Promise.all(plan.runtimes.map((r) => this.#containerLaunch(r)));
    this.#plan = plan;
    this.#processes = plan.runtimes.map((r, i) => this.#process(r, launches[i]));
    try {
      // the workers first, then the head: a head started beside them dials replicas that are not up yet, and its
      // channels sit in reconnect back-off for up to a second after the Deployment is ready, so the first requests
      // would all go to the replicas that happened to be up first
      const isHead = (i: number): boolean => plan.runtimes[i]?.role === 'head';
      await Promise.all(this.#processes.filter((_, i) => !isHead(i)).map((p) => p.start()));
      await Promise.all(this.#processes.filter((_, i) => isHead(i)).map((p) => p.start()));
    } catch (err) {
      // the ones that did start get a short grace to close their executors; the rest are killed
      const grace = Math.min(2000, this.options.closeTimeoutMs ?? 10_000);
      await Promise.allSettled(this.#processes.map((p) => p.stop(grace)));
      throw err;
    }
    if (this.#closing) throw new StartupError(`Deployment '${this.name}' was closed while starting`);
    const tls = o.internalTls;
    this.#client = new RuntimeClient(plan.entry.address, {
      name: plan.entry.name,
      ...(tls ? { credentials: internalCredentials(resolve(cwd, tls.cafile)) } : {}),
    });
    return this;
  }

  /** `/metrics` ports of the runtimes, the entry runtime's first (the user's `portMonitoring` when given). */
  async #monitoringPorts(n: number, host: string): Promise<number[]> {
    const fixed = this.options.portMonitoring || undefined;
    if (fixed !== undefined) reservePort(fixed);
    const free = await freePorts(n - (fixed !== undefined ? 1 : 0), host);
    return fixed !== undefined ? [fixed, ...free] : free;
  }

  /** With `container`: the engine's `run` of a runtime whose `uses` is a `docker://` image. */
  async #containerLaunch(r: PlannedRuntime): Promise<ContainerLaunch | undefined> {
    const engine = this.options.container;
    if (engine === undefined || r.role === 'head' || !isImageUses(r.config.uses)) return undefined;
    if (this.options.internalTls) {
      throw new ConfigError(
        `executor '${this.name}': internal_tls is not supported for docker:// executors run by ${engine}; export the Flow instead`,
      );
    }
    checkContainerEngine(engine, this.name);
    const usesWith = r.role === 'worker' ? this.options.usesWith : undefined;
    return containerLaunch({
      engine,
      uses: r.config.uses,
      runtime: r.name,
      host: this.options.host ?? '127.0.0.1',
      port: r.port,
      ...(usesWith ? { usesWith } : {}),
      env: { ...observabilityEnv(this.options), ...this.options.env },
      ...(this.options.workspace ? { workspace: this.options.workspace } : {}),
      cwd: this.options.cwd ?? process.cwd(),
    });
  }

  #process(r: PlannedRuntime, container?: ContainerLaunch): RuntimeProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...observabilityEnv(this.options),
      ...this.options.env,
      [PARENT_PID_ENV]: String(process.pid),
    };
    env.JINA_DEPLOYMENT_NAME = this.name;
    delete env.NODE_TEST_CONTEXT; // a runtime child is never a test-runner child, even when a test started it
    const isHead = r.role === 'head';
    env[isHead ? HEAD_CONFIG_ENV : WORKER_CONFIG_ENV] = JSON.stringify(r.config);
    const p = new RuntimeProcess({
      label: r.label,
      name: r.name,
      entry: container ?? (isHead ? headEntry() : workerEntry()),
      env,
      address: r.address,
      timeoutReady: this.options.timeoutReady ?? 600_000,
      // a TLS port would need the CA to be health-checked; the IPC `ready` comes once it is bound anyway
      ...(this.options.internalTls ? { healthCheck: false } : {}),
      ...(this.options.restart !== undefined ? { restart: this.options.restart } : {}),
    });
    p.on('spawn', (pid) => this.emit('spawn', { runtime: r.name, pid }));
    p.on('exit', (info) => this.emit('exit', { runtime: r.name, code: info.code, signal: info.signal }));
    p.on('restarting', (e) => this.emit('restarting', { runtime: r.name, ...e }));
    p.on('restarted', (pid) => this.emit('restarted', { runtime: r.name, pid }));
    p.on('restart-failed', (error) => this.emit('restart-failed', { runtime: r.name, error }));
    return p;
  }

  async #close(): Promise<void> {
    if (this.#capturing) return;
    const grace = this.options.closeTimeoutMs ?? 10_000;
    if (this.#starting) {
      // processes still starting are stopped now; start() then rejects and stops the rest
      await Promise.allSettled(this.#processes.filter((p) => p.state === 'starting').map((p) => p.stop(grace)));
      await this.#starting.catch(() => undefined);
    }
    this.#client?.close();
    // the head first, so requests under way finish while the workers still serve them
    const heads = this.#processes.filter((_, i) => this.#plan?.runtimes[i]?.role === 'head');
    await Promise.allSettled(heads.map((p) => p.stop(grace)));
    await Promise.allSettled(this.#processes.filter((p) => !heads.includes(p)).map((p) => p.stop(grace)));
  }
}
