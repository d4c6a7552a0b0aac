/**
 * Public test helpers (subpath `@weft-ai/weft/testing`): a Flow or Deployment in one call, free ports, process helpers for
 * multi-process tests, waiting for a marker file, fixture documents and seeded randomness.
 */
export { freePort, freePorts } from '../orchestrate/index.js';
export { embeddedDocs, textDocs } from './documents.js';
export { fileAppears } from './file-appears.js';
export { alive, allGone, childrenOf, isAlive, killAll } from './processes.js';
export { seededRandom } from './random.js';
export { type StartedDeployment, type StartedFlow, startDeployment, startFlow } from './start.js';
