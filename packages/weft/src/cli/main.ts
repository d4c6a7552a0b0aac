/**
 * The `weft` executable (bin/weft.mjs imports this module, from dist/ when built, else from the sources through
 * tsx): runs the command line and exits with its code.
 */
import { runCli } from './run.js';

process.exit(await runCli(process.argv.slice(2)));
