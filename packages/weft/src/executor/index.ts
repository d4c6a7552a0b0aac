/** Executors: the base class, endpoint decorators, dynamic batching, in-process invocation and `uses` resolution. */
export { BatchQueue } from './batch-queue.js';
export {
  type CapturedUses,
  isCapturedUses,
  loadCapturedClass,
  offerForCapture,
  pauseForCapture,
  RUNTIME_CHILD_ENV,
} from './class-capture.js';
export { callerModule, definitionModule, locateClass } from './class-source.js';
export { dynamicBatching, type RequestsOptions, requests } from './decorators.js';
export { DEFAULT_ENDPOINT, DRY_RUN_ENDPOINT, type DynamicBatchingConfig } from './endpoint-table.js';
export {
  type EndpointArgs,
  type EndpointBinding,
  type EndpointResult,
  Executor,
  type ExecutorArgs,
  type ExecutorMetas,
  type ExecutorOptions,
  type RuntimeArgs,
  type StreamArgs,
} from './executor.js';
export { ExecutorRunner, type InvokeRequest, type InvokeResult, type StreamRequest } from './executor-runner.js';
export { type ExecutorYaml, executorYamlSchema, parseExecutorYaml } from './executor-yaml.js';
export { RESULTS_KEY, specificParams } from './params.js';
export { BUILTIN_EXECUTORS, type ExecutorClass, lookupExecutor, registerExecutor } from './registry.js';
export { type ResolvedExecutor, type ResolveOptions, resolveUses, type Uses } from './uses.js';

import { Executor as BaseExecutor } from './executor.js';
import { type ExecutorClass as BaseClass, registerExecutor as register } from './registry.js';

// `uses: BaseExecutor` (Jina's default): an executor without endpoints, which passes requests through
register('BaseExecutor', BaseExecutor as unknown as BaseClass);
