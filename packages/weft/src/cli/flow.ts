/**
 * `weft flow --uses flow.yml`: start a Flow from its YAML (every executor, then the gateway), print one
 * `protocol://host:port` line per protocol the gateway serves, and serve until SIGINT/SIGTERM; then close the Flow
 * (no process left behind) and exit 0.
 */
import { Flow } from '../orchestrate/index.js';
import { parseFlags, required } from './args.js';
import type { CliIo, Command } from './command.js';
import { serveUntilSignal } from './serve.js';

const OPTIONS = {
  uses: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const flowCommand: Command = {
  name: 'flow',
  summary: 'serve a Flow from its YAML until SIGINT/SIGTERM',
  help: `Usage: weft flow --uses <flow.yml>

Start every executor of a Flow YAML (jtype: Flow; \${{ ENV.X }} is substituted) and its gateway, print the
address of each protocol the gateway serves, one protocol://host:port per line on stdout, and serve until
SIGINT or SIGTERM. Then the gateway drains, floating executors finish, every process stops, and weft exits 0.
Exits 1 when the Flow cannot start (the message names the executor and its own error).

Options:
  --uses <flow.yml>   the Flow YAML; relative \`uses:\` paths resolve against its folder
  -h, --help          show this help

Example:
  weft flow --uses flow.yml
  weft ping flow 127.0.0.1:12345`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const file = required(values.uses, 'uses');
    return serveUntilSignal('weft flow', io, async () => {
      const flow = Flow.load(file);
      try {
        await flow.start();
      } catch (err) {
        await flow.close();
        throw err;
      }
      io.err(`weft flow: ${flow.executors.length} executor(s) ready: ${flow.executors.map((e) => e.name).join(', ')}`);
      return { addresses: flow.endpoints.map((e) => e.url), stop: () => flow.close() };
    });
  },
};
