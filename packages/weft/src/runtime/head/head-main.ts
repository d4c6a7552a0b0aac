/**
 * The head process: reads its configuration from `WEFT_HEAD_CONFIG` and serves a HeadServer, speaking the runtime
 * process protocol of `runtime-main.ts` (ready/failed over IPC, graceful SIGTERM, stops when its parent goes away).
 *
 * Start it through `headEntry()`.
 */
import { runRuntimeMain } from '../runtime-main.js';
import { decodeHeadConfig } from './head-config.js';
import { HeadServer } from './head-server.js';

await runRuntimeMain({
  kind: 'weft head',
  config: () => decodeHeadConfig(process.env.WEFT_HEAD_CONFIG),
  start: async (config, phase) => {
    const server = new HeadServer(config);
    phase('construct');
    const port = await server.start();
    phase('bind');
    const graceMs = config.shutdownGraceMs;
    return { port, stop: () => server.stop(graceMs !== undefined ? { graceMs } : {}) };
  },
});
