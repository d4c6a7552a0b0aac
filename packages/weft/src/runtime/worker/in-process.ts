/**
 * `startWorkerInProcess`: the worker of `worker-main.ts` without the process, for tests and embedding. Same
 * executor loading and construction, a WorkerServer on a free loopback port by default.
 */
import { type ExecutorClass, type ExecutorContext, ExecutorRunner } from '../../executor/index.js';
import { loadInternalServerTls } from '../../networking/index.js';
import { type InterceptorSpec, loadInterceptors } from '../user-modules.js';
import { createExecutor, loadExecutorClass, type WorkerConfig, type WorkerUses } from './worker-config.js';
import { type StopOptions, type WorkerLog, WorkerServer } from './worker-server.js';

export interface InProcessWorkerOptions extends Omit<WorkerConfig, 'uses' | 'name' | 'port' | 'interceptors'> {
  /** Interceptors around every executor call: functions, module specifiers or built-in names. */
  interceptors?: readonly InterceptorSpec[];
  /** An Executor class, or anything a worker configuration's `uses` accepts. */
  uses: WorkerUses | ExecutorClass;
  /** Runtime name (default: the executor's metas name or class name). */
  name?: string;
  /** Default 0 (a free port). */
  port?: number;
  log?: WorkerLog;
}

export interface InProcessWorker {
  server: WorkerServer;
  runner: ExecutorRunner;
  port: number;
  /** `127.0.0.1:<port>` (or the host it listens on). */
  address: string;
  stop(options?: StopOptions): Promise<void>;
}

/**
 * Construct the executor and serve it on a free port of 127.0.0.1.
 * @example
 * const worker = await startWorkerInProcess({ uses: MyExec });
 * // … dial worker.address …
 * await worker.stop();
 */
export async function startWorkerInProcess(options: InProcessWorkerOptions): Promise<InProcessWorker> {
  const resolved = await loadExecutorClass(options);
  const name = options.name ?? options.metas?.name ?? resolved.metas.name ?? resolved.cls.name;
  const { interceptors: specs, ...config } = options;
  const interceptors = await loadInterceptors<ExecutorContext>(specs, options.cwd);
  const runner = new ExecutorRunner(createExecutor(resolved, { ...config, name }), name, { interceptors });
  const server = new WorkerServer({
    runner,
    name,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ...(options.nativePort !== undefined ? { nativePort: options.nativePort } : {}),
    ...(options.maxMessageBytes !== undefined
      ? { maxReceiveMessageBytes: options.maxMessageBytes, maxSendMessageBytes: options.maxMessageBytes }
      : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.tls ? { tls: loadInternalServerTls(options.tls) } : {}),
  });
  let port: number;
  try {
    port = await server.start();
  } catch (err) {
    await runner.close().catch(() => undefined);
    throw err;
  }
  return { server, runner, port, address: server.address, stop: (o) => server.stop(o) };
}
