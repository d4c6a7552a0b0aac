/**
 * The worker runtime: one Executor replica served over the Jina gRPC services (plus health and reflection) on the
 * server kit, in-process (`WorkerServer`, `startWorkerInProcess`) or as its own OS process (`workerEntry()`).
 */

export { failurePayload, isWorkerMessage, type WorkerFailure, type WorkerMessage } from '../server/index.js';
export { type InProcessWorker, type InProcessWorkerOptions, startWorkerInProcess } from './in-process.js';
export { type HandledRequest, RequestHandler } from './request-handler.js';
export {
  createExecutor,
  decodeWorkerConfig,
  loadExecutorClass,
  WORKER_CONFIG_ENV,
  type WorkerConfig,
  type WorkerUses,
} from './worker-config.js';
export { type WorkerEntry, workerEntry } from './worker-entry.js';
export {
  type StopOptions,
  WORKER_SERVICE_NAMES,
  type WorkerHealth,
  type WorkerLog,
  type WorkerLogLevel,
  WorkerServer,
  type WorkerServerOptions,
} from './worker-server.js';
