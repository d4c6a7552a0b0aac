/**
 * The worker process: reads its configuration from `WEFT_WORKER_CONFIG`, constructs one Executor replica and
 * serves it with a WorkerServer, speaking the runtime process protocol of `runtime-main.ts` (ready/failed over IPC,
 * graceful SIGTERM, exit 1 on a crash so the parent can restart it).
 *
 * Start it through `workerEntry()`; from the sources:
 *   WEFT_WORKER_CONFIG='{"uses":"./exec.ts#MyExec","name":"exec","port":0}' \
 *     node --conditions=weft-source --import tsx packages/weft/src/runtime/worker/worker-main.ts
 */
import { executorUriPolicy, setUriPolicy } from '../../document/index.js';
import { type ExecutorContext, ExecutorRunner } from '../../executor/index.js';
import { loadInternalServerTls } from '../../networking/index.js';
import { runRuntimeMain } from '../runtime-main.js';
import { loadInterceptors } from '../user-modules.js';
import { createExecutor, decodeWorkerConfig, loadExecutorClass } from './worker-config.js';
import { WorkerServer } from './worker-server.js';

await runRuntimeMain({
  kind: 'weft worker',
  config: () => decodeWorkerConfig(process.env.WEFT_WORKER_CONFIG),
  start: async (config, phase) => {
    // the parent validated the executor YAML (if any) already: decode it only
    // an executor reads document URIs only under its folders and from public networks (docs/guides/limits.md)
    const roots = [process.cwd(), config.cwd, config.runtimeArgs?.workspace].filter((r): r is string => !!r);
    setUriPolicy(executorUriPolicy(roots));
    const resolved = await loadExecutorClass(config, { validate: false });
    const interceptors = await loadInterceptors<ExecutorContext>(config.interceptors, config.cwd);
    phase('load executor');
    const runner = new ExecutorRunner(createExecutor(resolved, config), config.name, { interceptors });
    phase('construct');
    const server = new WorkerServer({
      runner,
      name: config.name,
      port: config.port,
      ...(config.host !== undefined ? { host: config.host } : {}),
      ...(config.nativePort !== undefined ? { nativePort: config.nativePort } : {}),
      ...(config.tls ? { tls: loadInternalServerTls(config.tls) } : {}),
      ...(config.maxMessageBytes !== undefined
        ? { maxReceiveMessageBytes: config.maxMessageBytes, maxSendMessageBytes: config.maxMessageBytes }
        : {}),
    });
    let port: number;
    try {
      port = await server.start();
    } catch (err) {
      await runner.close().catch(() => undefined);
      throw err;
    }
    phase('bind');
    const graceMs = config.shutdownGraceMs;
    return {
      port,
      address: `${server.host}:${port}`,
      stop: () => server.stop(graceMs !== undefined ? { graceMs } : {}),
    };
  },
});
