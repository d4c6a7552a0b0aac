/**
 * `weft new executor NAME [--dir D] [--weft-spec S]`: scaffold an npm package holding one TypeScript Executor that
 * installs, builds and passes its own test right away (files: `new-executor-files.ts`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BadArgumentError, ExportTargetError, WeftError } from '../errors/index.js';
import { parseFlags, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { executorFiles } from './new-executor-files.js';

/** npm's package name rule, narrowed so the name also makes a class name: lowercase, starting with a letter. */
const NAME_RULE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z][a-z0-9-]*$/;
/** This weft's version (read here, not from run.ts, which imports this module). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

const NAME_RULE_TEXT =
  'an npm package name in lowercase letters, digits and dashes, starting with a letter, optionally scoped (@scope/name)';

export interface NewExecutorOptions {
  /** The folder to create (default: `./<name without scope>`); it must not exist or be empty. */
  dir?: string;
  /** The dependency on weft written to package.json (default `^<this weft's version>`), e.g. `file:../weft`. */
  weftSpec?: string;
}

/**
 * Write a new executor package; resolves with its folder and the files written (relative to it).
 * @example await newExecutor('demo', { dir: '/tmp/demo' })
 */
export function newExecutor(name: string, options: NewExecutorOptions = {}): { dir: string; files: string[] } {
  if (!NAME_RULE.test(name) || name.length > 214) {
    throw new BadArgumentError(`'${name}' is not a valid executor name: use ${NAME_RULE_TEXT}`, {
      details: { name, rule: NAME_RULE.source },
    });
  }
  const stem = name.slice(name.indexOf('/') + 1);
  const className = stem
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
  const dir = resolve(options.dir ?? stem);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ExportTargetError(`'${dir}' already holds files; name a new or empty folder with --dir`, {
      details: { dir },
    });
  }
  const files = executorFiles({ packageName: name, stem, className, weftSpec: options.weftSpec ?? `^${version()}` });
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return { dir, files: Object.keys(files) };
}

const OPTIONS = {
  dir: { type: 'string' },
  'weft-spec': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const newCommand: Command = {
  name: 'new',
  summary: 'scaffold a new executor package (TypeScript, config.yml, test, Dockerfile)',
  help: `Usage: weft new executor <name> [--dir <folder>] [--weft-spec <spec>]

Write an npm package holding one Executor: src/<name>.ts (a class with a @requests endpoint), config.yml (its
executor YAML), test/<name>.test.ts (node:test: calls it, then serves config.yml in a Flow and calls that),
package.json (depending on this weft version), tsconfig.json, README.md and a Dockerfile. Then:
  cd <name> && npm install && npm test

Arguments:
  <name>               ${NAME_RULE_TEXT}; the class is its PascalCase form (image-tagger → ImageTagger)

Options:
  --dir <folder>       where to write it (default ./<name without scope>); must be new or empty
  --weft-spec <spec>   the weft dependency in package.json (default ^${version()}), e.g. file:../weft
  -h, --help           show this help

Exit codes: 0 written, 1 invalid name or folder not empty (nothing written), 2 usage mistake.`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, OPTIONS, true);
    const [kind, name, ...extra] = positionals;
    if (kind !== 'executor') {
      throw new UsageError(
        `say what to create: weft new executor <name> (got ${kind === undefined ? 'nothing' : `'${kind}'`})`,
      );
    }
    if (name === undefined) throw new UsageError('name the executor: weft new executor <name>');
    if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    try {
      const { dir, files } = newExecutor(name, {
        ...(values.dir !== undefined ? { dir: values.dir } : {}),
        ...(values['weft-spec'] !== undefined ? { weftSpec: values['weft-spec'] } : {}),
      });
      for (const f of files) io.err(`weft new: wrote ${join(dir, f)}`);
      io.out(dir);
      return 0;
    } catch (err) {
      if (!(err instanceof WeftError)) throw err;
      io.err(`weft new executor: ${err.code}: ${err.message}`);
      return 1;
    }
  },
};
