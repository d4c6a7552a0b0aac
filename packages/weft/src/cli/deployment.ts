/**
 * `weft deployment --uses deployment.yml`: start a Deployment from its YAML (replicas × shards of worker processes,
 * a head in front when needed), print its address, and serve until SIGINT/SIGTERM; then stop every process.
 */
import { Deployment } from '../orchestrate/index.js';
import { parseFlags, required } from './args.js';
import type { CliIo, Command } from './command.js';
import { serveUntilSignal } from './serve.js';

const OPTIONS = {
  uses: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const deploymentCommand: Command = {
  name: 'deployment',
  summary: 'serve a Deployment (replicas × shards of one Executor) from its YAML',
  help: `Usage: weft deployment --uses <deployment.yml>

Start a Deployment from its YAML (jtype: Deployment, options under with:, \${{ ENV.X }} substituted): every
replica and shard as its own process, with a head in front when there is more than one. Print its address,
grpc://host:port, on stdout and serve until SIGINT or SIGTERM; then stop every process and exit 0.

Options:
  --uses <deployment.yml>   the Deployment YAML; relative uses: paths resolve against its folder
  -h, --help                show this help

Example:
  weft deployment --uses deployment.yml`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const file = required(values.uses, 'uses');
    return serveUntilSignal('weft deployment', io, async () => {
      const dep = Deployment.load(file);
      try {
        await dep.start();
      } catch (err) {
        await dep.close();
        throw err;
      }
      io.err(`weft deployment: ${dep.name} ready (${dep.runtimes.length} runtime process(es))`);
      return { addresses: [`grpc://${dep.address}`], stop: () => dep.close() };
    });
  },
};
