/**
 * The `weft` command line: `weft flow | executor | deployment | gateway | head | ping | export`, one file per command, each on
 * `node:util` `parseArgs`. `main.ts` is the executable entry (see bin/weft.mjs).
 */
export { integer, json, list, type ParsedFlags, parseFlags, required, UsageError } from './args.js';
export { type CliIo, type Command, processIo } from './command.js';
export { deploymentCommand } from './deployment.js';
export { executorCommand } from './executor.js';
export { exportCommand } from './export.js';
export { flowCommand } from './flow.js';
export { gatewayCommand, gatewayConfigFromFlags } from './gateway.js';
export { headCommand } from './head.js';
export { type PingOptions, ping, pingCommand } from './ping.js';
export { COMMANDS, runCli, version } from './run.js';
export { type Serving, serveUntilSignal } from './serve.js';
