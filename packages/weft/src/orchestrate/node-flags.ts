/**
 * The Node options a runtime child process starts with: what its entry point needs (tsx when running from
 * sources) plus the parent's own module-loading options (`--import`, `--require`, `--loader`, `--conditions`,
 * source maps), so a user's executor module loads in the child exactly as it loaded in the parent, and the CPU
 * profiler's (`node --cpu-prof --cpu-prof-dir=prof app.ts` writes one profile per runtime process). Debugger,
 * test-runner and eval options are never passed on.
 */

/** Options whose value is the next argument when not written `--flag=value`. */
const WITH_VALUE = new Set([
  '--cpu-prof-dir',
  '--cpu-prof-interval',
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
]);
const INHERITED =
  /^(--import|--require|-r|--loader|--experimental-loader|--conditions|-C|--enable-source-maps|--no-warnings|--no-deprecation|--experimental-[a-z-]+|--stack-trace-limit|--max-old-space-size|--cpu-prof|--cpu-prof-dir|--cpu-prof-interval)(=|$)/;

/**
 * `entry` followed by the inherited options of `parent` that `entry` does not already carry.
 * @example childExecArgv(['--import', 'file:///…/tsx/dist/loader.mjs'], ['--import', 'tsx', '--inspect'])
 */
export function childExecArgv(entry: readonly string[], parent: readonly string[] = process.execArgv): string[] {
  const out = [...entry];
  const have = new Set(pairs(entry).map(key));
  for (const pair of pairs(parent)) {
    const flag = pair[0] as string;
    if (!INHERITED.test(flag)) continue;
    const k = key(pair);
    if (have.has(k)) continue;
    have.add(k);
    out.push(...pair);
  }
  return out;
}

/** Split argv into options with their values: `['--import', 'tsx']`, `['--conditions=x']`. */
function pairs(argv: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (WITH_VALUE.has(a) && i + 1 < argv.length) out.push([a, argv[++i] as string]);
    else out.push([a]);
  }
  return out;
}

/** Identity of an option for de-duplication; every spelling of tsx's loader counts as one. */
function key(pair: string[]): string {
  const [flag, inlineValue] = (pair[0] as string).split(/=(.*)/s, 2) as [string, string | undefined];
  const value = pair[1] ?? inlineValue ?? '';
  const name = flag === '-r' ? '--require' : flag === '-C' ? '--conditions' : flag;
  return `${name}=${/(^|[/\\])tsx([/\\]|$)/.test(value) || value === 'tsx' ? 'tsx' : value}`;
}
