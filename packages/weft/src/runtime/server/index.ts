/**
 * The server kit every runtime kind serves with (worker, head, gateway's gRPC protocol): `RuntimeServer` (bind,
 * native port, health, reflection, in-flight tracking, graceful stop), `serveCallStream` (the one `JinaRPC/Call`
 * handler and its failure rule), `jinaInfo` (the one `_status`, secrets masked), how to start a runtime process
 * (`runtimeEntry`) and what it tells its parent (`WorkerMessage`). The Jina service table and the health codec
 * live in `networking/` (clients need them too) and are re-exported here.
 */
export {
  HEALTH_SERVICE_NAME,
  JINA_RAW_SERVICES,
  JINA_SERVICE_NAMES,
  JINA_SERVICES,
  type JinaServiceName,
  REFLECTION_SERVICE_NAMES,
  type ServingStatus,
} from '../../networking/index.js';
export { type CallStreamHost, serveCallStream } from './call-stream.js';
export { HealthService, healthServiceDefinition } from './health-service.js';
export { isSecretName, jinaInfo, KNOWN_ENV_VARS, MASKED, runtimeEnvs, weftVersion } from './jina-info.js';
export { PACKAGE_ROOT, protoDir } from './proto-files.js';
export { reflectionService, runtimePackageDefinition } from './reflection.js';
export {
  encodeStreamAnswers,
  type RuntimeCalls,
  type StreamDocContext,
  type StreamDocHandler,
  servedServices,
} from './runtime-calls.js';
export { type RuntimeEntry, runtimeEntry } from './runtime-entry.js';
export {
  failurePayload,
  isWorkerMessage,
  type StartupTimings,
  type WorkerFailure,
  type WorkerMessage,
} from './runtime-messages.js';
export {
  type RuntimeKind,
  type RuntimeLog,
  type RuntimeLogLevel,
  RuntimeServer,
  type RuntimeServerOptions,
  type RuntimeState,
  type StopHooks,
} from './runtime-server.js';
