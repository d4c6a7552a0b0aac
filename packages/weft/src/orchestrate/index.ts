/**
 * Orchestration: Deployments of replicas × shards as separate OS processes behind one address, their supervision
 * (readiness, restarts, no orphans), port allocation, and loading user classes in child processes.
 */

export { isAlive, PARENT_PID_ENV, type ParentWatchOptions, watchParent } from '../runtime/parent-watch.js';
export { liveChildPids } from './child-registry.js';
export { Deployment, type PostOptions, type RuntimeInfo } from './deployment.js';
export type { DeploymentOptions, DeploymentUses, ParsedDeploymentOptions } from './deployment-options.js';
export {
  type DeploymentPlan,
  needsHead,
  type PlannedRuntime,
  planDeployment,
  type RuntimeRole,
} from './deployment-plan.js';
export { loadDeploymentYaml } from './deployment-yaml.js';
export { Flow, type FlowAddOptions } from './flow.js';
export { buildFlowGraph, danglingExecutors, GATEWAY, type GraphNodeSpec } from './flow-graph.js';
export { externalAddresses, type FlowRuntimes, gatewayProtocolOptions, startFlowRuntimes } from './flow-runtimes.js';
export { childExecArgv } from './node-flags.js';
export { freePort, freePorts, reservePort } from './ports.js';
export {
  type ExitInfo,
  type RestartPolicy,
  RuntimeProcess,
  type RuntimeProcessOptions,
  type RuntimeState,
} from './runtime-process.js';
export { type ReloadTarget, type SourceWatch, usesSources, watchSources } from './source-watch.js';
export { type ChildUses, usesForChild } from './uses-spec.js';
