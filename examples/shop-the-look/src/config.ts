/**
 * The app's settings: command-line flags first, then `SHOP_*` environment variables, then defaults (the catalogue
 * last indexed into the data folder, else the one that ships with the example; a data folder beside it; the page
 * and its API on 127.0.0.1:8080). Relative paths are taken from the folder npm was run in.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const EXAMPLE_DIR = resolve(import.meta.dirname, '..');
/** The catalogue that ships with the example. */
export const BUNDLED_CATALOGUE = join(EXAMPLE_DIR, 'catalogue');
/** In the data folder: which catalogue its index holds and with which embedding (`{ "dir": …, "embedding": … }`). */
export const CATALOGUE_RECORD = 'shop-catalogue.json';

export interface ShopConfig {
  /** Interface and port of the gateway that serves the page and the API (port 0: any free port). */
  host: string;
  port: number;
  /** Folder of product images (sub-folders are categories), with an optional `products.json`. */
  catalogueDir: string;
  /** Where the executors keep their data (the indexes). */
  dataDir: string;
  /** Clear the index and index the catalogue again. */
  reindex: boolean;
}

export const USAGE = `Usage: npm start -- [options]              the app: page and API on one port
       npm run index -- <folder> [options]   index a folder of product images, then exit

Serves the shop-the-look demo: one Flow (an HTTP gateway with the page and its API, ImageEncoder -> VectorIndexer
for photos, TextSearch for words, RankFusion joining both). On start the catalogue's products that are not in the
index yet are indexed while the page already answers (it shows the progress); an interrupted indexing resumes.

Options (environment variable in brackets):
  --port <n>            port of the page and its API, 0 for any free port  [SHOP_PORT, default 8080]
  --host <addr>         interface to listen on                             [SHOP_HOST, default 127.0.0.1]
  --catalogue <dir>     a folder of product images; sub-folders are categories, products.json is optional
                        [SHOP_CATALOGUE, default: the last one indexed into the data folder, else the bundled one]
  --data-dir <dir>      where the indexes are kept          [SHOP_DATA_DIR, default examples/shop-the-look/.data]
  --reindex             clear the index and index the catalogue again
  -h, --help            show this help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A problem the user can fix (a bad catalogue, a port in use): reported by its message alone. */
export class ShopError extends Error {
  override name = 'ShopError';
}

/** Where a relative path given on the command line is taken from: the folder `npm run` was started in. */
function fromUser(path: string, env: NodeJS.ProcessEnv): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}

/**
 * Settings from `argv` (without node and the script) and `env`; `undefined` when help was asked for. With
 * `positionalCatalogue`, a first positional argument is the catalogue folder (`npm run index -- ./my-products`).
 */
export function parseShopArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  { positionalCatalogue = false } = {},
): ShopConfig | undefined {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        catalogue: { type: 'string' },
        'data-dir': { type: 'string' },
        reindex: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: positionalCatalogue,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return undefined;
  if (positionals.length > 1) throw new UsageError(`one catalogue folder, got ${positionals.length}`);
  const pick = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName];
    return e === undefined || e === '' ? undefined : e;
  };
  const dataDir = fromUser(pick('data-dir', 'SHOP_DATA_DIR') ?? join(EXAMPLE_DIR, '.data'), env);
  const catalogue = positionals[0] ?? pick('catalogue', 'SHOP_CATALOGUE');
  if (positionalCatalogue && catalogue === undefined) throw new UsageError('name the folder of images to index');
  return {
    port: portNumber(pick('port', 'SHOP_PORT') ?? '8080', '--port / SHOP_PORT'),
    host: pick('host', 'SHOP_HOST') ?? '127.0.0.1',
    catalogueDir:
      catalogue !== undefined ? fromUser(catalogue, env) : (recordedCatalogue(dataDir) ?? BUNDLED_CATALOGUE),
    dataDir,
    reindex: values.reindex === true,
  };
}

/** The catalogue the data folder's index was filled from, if recorded. */
export function recordedCatalogue(dataDir: string): string | undefined {
  try {
    const { dir } = JSON.parse(readFileSync(join(dataDir, CATALOGUE_RECORD), 'utf8')) as { dir?: unknown };
    return typeof dir === 'string' ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The embedding design the data folder's index was built with, if recorded (older records have none). */
export function recordedEmbedding(dataDir: string): string | undefined {
  try {
    const { embedding } = JSON.parse(readFileSync(join(dataDir, CATALOGUE_RECORD), 'utf8')) as { embedding?: unknown };
    return typeof embedding === 'string' ? embedding : undefined;
  } catch {
    return undefined;
  }
}

function portNumber(text: string, what: string, min = 0): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > 65535) {
    throw new UsageError(`${what} must be a port number (${min}-65535), got '${text}'`);
  }
  return n;
}

/**
 * The configuration of a command line's script (`main.ts`, `index-products.ts`): a usage mistake prints the message
 * and USAGE and exits 2; `--help` prints USAGE and exits 0.
 */
export function shopConfigOrExit(argv: string[], options: { positionalCatalogue?: boolean } = {}): ShopConfig {
  let config: ShopConfig | undefined;
  try {
    config = parseShopArgs(argv, process.env, options);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`shop-the-look: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!config) {
    console.log(USAGE);
    process.exit(0);
  }
  return config;
}
