/**
 * Flow: executors wired into a DAG behind one gateway. Each executor runs as a Deployment (replicas × shards of
 * worker processes, a head when needed); the gateway runs as its own process from the routing graph and the
 * deployments' addresses, serving every configured protocol. Built in code (`new Flow().add(...)`) or from YAML
 * (`Flow.load('flow.yml')`); validated when built, started with `start()`, stopped with `close()` (no processes
 * left behind).
 *
 * @example
 * await using f = await new Flow().add({ uses: MyExec }).add({ uses: MyExec }).start();
 * const docs = await f.post('/', DocumentArray.empty(2));
 */
import { dirname, resolve } from 'node:path';
import type { ClientInputs } from '../client/index.js';
import { Client, type PostOptions } from '../client/index.js';
import {
  type ExecutorOptionsInput,
  type FlowExecutorOptions,
  type FlowOptions,
  type FlowOptionsInput,
  loadYamlFile,
  parseExecutorOptions,
  parseFlowOptions,
  parseFlowYaml,
} from '../config/index.js';
import type { DocumentArray } from '../document/index.js';
import { AlreadyStartedError, ConfigError, NotStartedError, StartupError } from '../errors/index.js';
import { offerForCapture, pauseForCapture } from '../executor/index.js';
import type { ExportOptions } from '../export/index.js';
import type { DataRequest } from '../request/index.js';
import type { GatewayConfigInput, GraphDescription } from '../runtime/gateway/index.js';
import { containerRequired, isImageUses } from './container-run.js';
import { buildFlowGraph, danglingExecutors } from './flow-graph.js';
import { type FlowRuntimes, startFlowRuntimes } from './flow-runtimes.js';

/** Options of `.add()`: an executor of the Flow (camelCase; YAML uses the same keys in snake_case). */
export type FlowAddOptions = ExecutorOptionsInput;

export class Flow {
  readonly options: FlowOptions;
  readonly #executors: (FlowExecutorOptions & { name: string })[] = [];
  readonly #capturing: boolean[] = [];
  #cwd: string;
  #runtimes: FlowRuntimes | undefined;
  #client: Client | undefined;
  #starting: Promise<this> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: FlowOptionsInput = {}, context: { cwd?: string } = {}) {
    this.options = parseFlowOptions(options);
    this.#cwd = context.cwd ?? process.cwd();
  }

  /**
   * A Flow from Jina's YAML schema (`jtype: Flow`, `with:`, `executors:`), with `${{ ENV.X }}` substituted; relative
   * `uses` paths resolve against the file's folder. Errors name the file, line and key. `overrides` replace Flow
   * options of the file's `with:` (the CLI's `--port`, `--protocol`, `--host`).
   */
  static load(
    file: string,
    options: { env?: Record<string, string | undefined>; overrides?: FlowOptionsInput } = {},
  ): Flow {
    const path = resolve(file);
    const y = parseFlowYaml(loadYamlFile(path, options.env ? { env: options.env } : {}));
    const flow = new Flow({ ...(y.options as FlowOptionsInput), ...options.overrides }, { cwd: dirname(path) });
    for (const e of y.executors) flow.add(e as FlowAddOptions);
    return flow;
  }

  /** Add an executor; by default it needs the previous one. Returns the Flow for chaining. */
  add(options: FlowAddOptions = {}): this {
    if (this.#starting)
      throw new AlreadyStartedError('executors are added before start(); this Flow is already started');
    const parsed = parseExecutorOptions(options, `Flow.add() #${this.#executors.length}`);
    const name = parsed.name ?? `executor${this.#executors.length}`;
    // in a worker process loading a class defined in this script: hand it over, start nothing
    this.#capturing.push(offerForCapture(parsed.uses, parsed.usesBefore, parsed.usesAfter));
    this.#executors.push({ ...parsed, name, uses: parsed.uses ?? 'BaseExecutor' });
    buildFlowGraph(this.#executors); // validate as we build: unknown needs, duplicates, cycles
    return this;
  }

  /** Add a pass-through executor that joins every open end of the graph. */
  needsAll(options: { name?: string } = {}): this {
    const needs = danglingExecutors(this.#executors);
    return this.add({ name: options.name ?? 'joiner', needs: needs.length > 0 ? needs : 'gateway' });
  }

  /** The executors, as added (names filled in). */
  get executors(): readonly (FlowExecutorOptions & { name: string })[] {
    return this.#executors;
  }

  /** Jina's routing graph (`start-gateway` → … → `end-gateway`). */
  get graph(): GraphDescription {
    return buildFlowGraph(this.#executors);
  }

  /** The gateway's first port (after `start()`). */
  get port(): number {
    return this.#started().gateway.ports[0]?.port as number;
  }

  /** Every protocol the gateway serves and its port (after `start()`). */
  get endpoints(): readonly { protocol: string; port: number; url: string }[] {
    return this.#started().gateway.ports;
  }

  /** Executor name → the addresses the gateway reaches it on (after `start()`). */
  get addresses(): Record<string, string[]> {
    return this.#started().addresses;
  }

  /**
   * Pids of every process this Flow runs right now: the gateway and each executor's workers and heads (empty
   * before `start()`; a runtime between a crash and its restart is left out).
   * @example console.log(`PIDS ${JSON.stringify(flow.pids())}`)
   */
  pids(): number[] {
    const r = this.#runtimes;
    if (!r) return [];
    const all = [r.gateway.process.pid, ...[...r.deployments.values()].flatMap((d) => d.runtimes.map((x) => x.pid))];
    return all.filter((p): p is number => p !== undefined);
  }

  /**
   * Every Prometheus `/metrics` endpoint of this Flow (after `start()`, with `monitoring: true`): the gateway's and
   * each monitored executor's runtimes (head and replicas), as `host:port` with the runtime's name.
   * @example for (const t of flow.monitoringEndpoints) console.log(t.runtime, `http://${t.address}/metrics`)
   */
  get monitoringEndpoints(): readonly { runtime: string; executor: string; address: string }[] {
    const r = this.#started();
    const out: { runtime: string; executor: string; address: string }[] = [];
    if (r.gateway.portMonitoring !== undefined) {
      out.push({ runtime: 'gateway', executor: 'gateway', address: `${r.gateway.host}:${r.gateway.portMonitoring}` });
    }
    for (const [executor, d] of r.deployments) {
      for (const x of d.runtimes) {
        if (x.portMonitoring !== undefined) {
          out.push({ runtime: x.name, executor, address: `127.0.0.1:${x.portMonitoring}` });
        }
      }
    }
    return out;
  }

  /** The folder relative `uses` paths resolve against (the YAML file's, for `Flow.load`). */
  get cwd(): string {
    return this.#cwd;
  }

  /**
   * Restart the worker processes of one executor (after `start()`), replica after replica: they load its code
   * again on the same addresses, and the gateway reconnects. `weft flow --reload` calls it when sources change.
   * Resolves with the new pids.
   * @example await flow.restartExecutor('encoder')
   */
  async restartExecutor(name: string): Promise<number[]> {
    const deployment = this.#started().deployments.get(name);
    if (!deployment) {
      throw new ConfigError(`the Flow has no executor '${name}' of its own to restart (external ones run elsewhere)`, {
        details: { executor: name },
      });
    }
    return deployment.restartWorkers();
  }

  /** The gateway configuration this Flow runs with (after `start()`), e.g. for `weft gateway` or export. */
  get gatewayConfig(): GatewayConfigInput {
    return this.#started().gatewayConfig;
  }

  /** Start every executor and the gateway; rejects with `StartupError` naming the executor that failed. */
  start(): Promise<this> {
    if (this.#capturing.some(Boolean)) return pauseForCapture('Flow');
    if (this.#closing) return Promise.reject(new StartupError('this Flow was closed; build a new one to start again'));
    const image = this.#executors.find((e) => !e.external && [e.uses, e.usesBefore, e.usesAfter].some(isImageUses));
    if (image && this.options.container === undefined) return Promise.reject(containerRequired(image.name, image));
    this.#starting ??= (async () => {
      this.#runtimes = await startFlowRuntimes(this.options, this.#executors, this.graph, this.#cwd);
      const first = this.#runtimes.gateway.ports[0] as { protocol: string; port: number };
      const host = this.#runtimes.gateway.host; // where the gateway is reached ([…] around IPv6)
      const { tls, token } = this.#runtimes.gateway;
      this.#client = new Client({
        host,
        port: first.port,
        protocol: first.protocol as 'grpc',
        ...(tls ? { tls } : {}),
        ...(token ? { token } : {}),
      });
      return this;
    })();
    return this.#starting;
  }

  /**
   * Send documents to `endpoint`; resolves with the resulting documents. Executor errors reject with the remote
   * error (name, message, executor, stack) unless `continueOnError`.
   */
  post(endpoint: string, inputs?: ClientInputs, options: PostOptions = {}): Promise<DocumentArray> {
    return this.#clientOrThrow().post(endpoint, inputs, options);
  }

  /** Responses (with header, parameters and routes) as they arrive. */
  stream(endpoint: string, inputs?: ClientInputs, options: PostOptions = {}): AsyncGenerator<DataRequest> {
    return this.#clientOrThrow().stream(endpoint, inputs, options);
  }

  /** A client to this Flow's gateway (after `start()`). */
  get client(): Client {
    return this.#clientOrThrow();
  }

  /** Stop the gateway (after floating executors finish) and every executor process; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#capturing.some(Boolean)) return;
      await this.#starting?.catch(() => undefined);
      await this.#client?.close();
      await this.#runtimes?.close();
    })();
    return this.#closing;
  }

  /**
   * Write this Flow's Kubernetes manifests into the folder `dir` (created; refused when it holds other files);
   * resolves with the files written. See docs/guides/deploy.md.
   * @example await flow.toKubernetesYaml('k8s', { namespace: 'shop' })
   */
  async toKubernetesYaml(dir: string, options: ExportOptions = {}): Promise<string[]> {
    const { exportFlow } = await import('../export/index.js');
    return (await exportFlow('kubernetes', this.#spec(), dir, options)).files;
  }

  /**
   * Write this Flow as one docker-compose file; resolves with its path.
   * @example await flow.toDockerCompose('docker-compose.yml')
   */
  async toDockerCompose(file: string, options: ExportOptions = {}): Promise<string> {
    const { exportFlow } = await import('../export/index.js');
    return (await exportFlow('docker-compose', this.#spec(), file, options)).files[0] as string;
  }

  #spec() {
    return { options: this.options, executors: this.#executors, graph: this.graph, cwd: this.#cwd };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #started(): FlowRuntimes {
    if (!this.#runtimes) throw new NotStartedError('the Flow is not started: await flow.start() first');
    return this.#runtimes;
  }

  #clientOrThrow(): Client {
    if (!this.#client) throw new NotStartedError('the Flow is not started: await flow.start() first');
    return this.#client;
  }
}
