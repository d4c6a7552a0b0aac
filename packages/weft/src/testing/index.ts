/** Public test helpers (subpath `weft/testing`): seeded randomness and, over time, one-call Flows and fixtures. */
export { seededRandom } from './random.js';
