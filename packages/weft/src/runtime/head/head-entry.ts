/**
 * Where the head process's entry point lives and how to start it: from the TypeScript sources (through tsx, with
 * the `weft-source` export condition) or from the built `dist/` (plain node). The Deployment forks `file` with
 * `execArgv` and passes the configuration in `WEFT_HEAD_CONFIG`.
 */
import { fileURLToPath } from 'node:url';

export interface HeadEntry {
  /** Node options the child needs (empty when running compiled JavaScript). */
  execArgv: string[];
  /** Absolute path of `head-main`. */
  file: string;
}

/**
 * How to start a head process.
 * @example
 * const { file, execArgv } = headEntry();
 * fork(file, [], { execArgv, env: { ...process.env, WEFT_HEAD_CONFIG: JSON.stringify(config) } });
 */
export function headEntry(): HeadEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './head-main.ts' : './head-main.js', import.meta.url));
  if (!fromSource) return { execArgv: [], file };
  return { execArgv: ['--conditions=weft-source', '--import', tsxLoader()], file };
}

/** tsx's loader as an absolute URL, so the child finds it whatever its working directory is. */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}
