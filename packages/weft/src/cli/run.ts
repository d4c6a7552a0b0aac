/**
 * The `weft` command line: picks the command named by the first argument and runs it with the rest. `weft --help`
 * lists the commands, `weft <command> --help` explains one, `weft --version` prints the version. Usage mistakes
 * exit with code 2 and a pointer to the help.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { processIo } from './command.js';
import { deploymentCommand } from './deployment.js';
import { executorCommand } from './executor.js';
import { exportCommand } from './export.js';
import { flowCommand } from './flow.js';
import { gatewayCommand } from './gateway.js';
import { headCommand } from './head.js';
import { pingCommand } from './ping.js';

export const COMMANDS: readonly Command[] = [
  flowCommand,
  executorCommand,
  deploymentCommand,
  gatewayCommand,
  headCommand,
  pingCommand,
  exportCommand,
];

/** The version of the weft package (from its package.json; the same path from src/ and dist/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: weft <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show this help (weft <command> --help explains one command)
  -v, --version  print weft's version`;
}

/**
 * Run `weft` with `argv` (the arguments after the executable); resolves with the exit code.
 * @example process.exit(await runCli(['ping', 'executor', '127.0.0.1:50051']))
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const about = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(about ? about.help : overview());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.err(`weft: unknown command '${first}'\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`weft ${command.name}: ${err.message}\nSee 'weft ${command.name} --help'.`);
    return 2;
  }
}
