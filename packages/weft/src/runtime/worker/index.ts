/**
 * The worker runtime: one Executor replica served over the Jina gRPC services (plus health and reflection),
 * in-process (`WorkerServer`, `startWorkerInProcess`) or as its own OS process (`workerEntry()`).
 */

export { HealthService, type ServingStatus } from './health-service.js';
export { type InProcessWorker, type InProcessWorkerOptions, startWorkerInProcess } from './in-process.js';
export { jinaInfo, runtimeEnvs } from './jina-info.js';
export { PACKAGE_ROOT, protoDir } from './proto-files.js';
export { reflectionService, runtimePackageDefinition } from './reflection.js';
export { type HandledRequest, RequestHandler } from './request-handler.js';
export { HEALTH_SERVICE_NAME, JINA_SERVICE_NAMES, REFLECTION_SERVICE_NAMES } from './service-definitions.js';
export {
  createExecutor,
  decodeWorkerConfig,
  loadExecutorClass,
  WORKER_CONFIG_ENV,
  type WorkerConfig,
  type WorkerUses,
} from './worker-config.js';
export { type WorkerEntry, workerEntry } from './worker-entry.js';
export { failurePayload, isWorkerMessage, type WorkerFailure, type WorkerMessage } from './worker-messages.js';
export {
  type StopOptions,
  WORKER_SERVICE_NAMES,
  type WorkerHealth,
  type WorkerLog,
  type WorkerLogLevel,
  WorkerServer,
  type WorkerServerOptions,
} from './worker-server.js';
