/**
 * The shape every `weft` command shares: a name, a one-line summary for `weft --help`, its own `--help` text, and
 * `run(argv, io)` resolving with the process exit code. Output goes through `CliIo` so tests can capture it:
 * results a script may read (addresses, ping verdicts) on `out`, progress and errors on `err`.
 */

import { writeStderr } from '../observability/index.js';

export interface CliIo {
  /** One line of the command's result (stdout). */
  out(line: string): void;
  /** One line of progress or error (stderr). */
  err(line: string): void;
}

export interface Command {
  readonly name: string;
  /** One line, shown by `weft --help`. */
  readonly summary: string;
  /** The full `weft <name> --help` text. */
  readonly help: string;
  /** Run with the arguments after the command name; resolves with the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** stdout / stderr of this process. */
export const processIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => writeStderr(`${line}\n`),
};
