/**
 * Stacks for people: weft's own frames (its sources or build, and Node's internals) left out of a stack, so a
 * start-up error shows the user's message and the user's frames; at log level `debug` the stack stays whole.
 *
 * @example withoutInternalFrames(err.stack) // "ExecutorLoadError: …\n    at new MyExec (/app/exec.ts:3:11)"
 */
import { fileURLToPath } from 'node:url';

/** weft's code: its sources or its build (`…/weft/src/`, `…/weft/dist/`). */
const OWN = fileURLToPath(new URL('../', import.meta.url));

const internal = (line: string): boolean => /^\s+at /.test(line) && (line.includes(OWN) || /[( ]node:/.test(line));

/** `stack` without weft's and Node's frames (the first line and every other line kept). */
export function withoutInternalFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((l) => !internal(l))
    .join('\n');
}
