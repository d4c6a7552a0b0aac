/**
 * The app's settings: command-line flags first, then `SHOP_*` environment variables, then embedded defaults (the
 * catalogue that ships with the example, a data folder beside it, the web page on 127.0.0.1:8080).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const EXAMPLE_DIR = resolve(import.meta.dirname, '..');

export interface ShopConfig {
  /** Interface and port of the web page (port 0: any free port). */
  host: string;
  port: number;
  /** Interface and port of the Flow's HTTP gateway (port undefined: any free port). */
  gatewayHost: string;
  gatewayPort: number | undefined;
  /** Folder with `products.json` and the images it names. */
  catalogueDir: string;
  /** Where the executors keep their data (the vector index). */
  dataDir: string;
  /** Clear the index and index the catalogue again. */
  reindex: boolean;
}

export const USAGE = `Usage: npm start -- [options]   (or: node --conditions=weft-source --import tsx examples/shop-the-look/main.ts)

Serves the shop-the-look demo: a Flow (ImageEncoder -> VectorIndexer behind an HTTP gateway) and a web page where
you upload a photo and get the visually closest products. On start the catalogue is indexed if the index is empty.

Options (environment variable in brackets):
  --port <n>            port of the web page, 0 for any free port    [SHOP_PORT, default 8080]
  --host <addr>         interface of the web page                    [SHOP_HOST, default 127.0.0.1]
  --gateway-port <n>    port of the Flow's HTTP gateway              [SHOP_GATEWAY_PORT, default: a free port]
  --gateway-host <addr> interface of the gateway                     [SHOP_GATEWAY_HOST, default 127.0.0.1]
  --catalogue <dir>     folder with products.json and its images     [SHOP_CATALOGUE, default: the bundled catalogue]
  --data-dir <dir>      where the vector index is kept               [SHOP_DATA_DIR, default examples/shop-the-look/.data]
  --reindex             clear the index and index the catalogue again
  -h, --help            show this help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A problem the user can fix (a bad catalogue, a port in use): reported by its message alone. */
export class ShopError extends Error {
  override name = 'ShopError';
}

/** Settings from `argv` (without node and the script) and `env`; `undefined` when help was asked for. */
export function parseShopArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ShopConfig | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'gateway-port': { type: 'string' },
        'gateway-host': { type: 'string' },
        catalogue: { type: 'string' },
        'data-dir': { type: 'string' },
        reindex: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return undefined;
  const pick = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName];
    return e === undefined || e === '' ? undefined : e;
  };
  const gatewayPort = pick('gateway-port', 'SHOP_GATEWAY_PORT');
  return {
    port: portNumber(pick('port', 'SHOP_PORT') ?? '8080', '--port / SHOP_PORT'),
    host: pick('host', 'SHOP_HOST') ?? '127.0.0.1',
    gatewayPort:
      gatewayPort === undefined ? undefined : portNumber(gatewayPort, '--gateway-port / SHOP_GATEWAY_PORT', 1),
    gatewayHost: pick('gateway-host', 'SHOP_GATEWAY_HOST') ?? '127.0.0.1',
    catalogueDir: resolve(pick('catalogue', 'SHOP_CATALOGUE') ?? join(EXAMPLE_DIR, 'catalogue')),
    dataDir: resolve(pick('data-dir', 'SHOP_DATA_DIR') ?? join(EXAMPLE_DIR, '.data')),
    reindex: values.reindex === true,
  };
}

function portNumber(text: string, what: string, min = 0): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > 65535) {
    throw new UsageError(`${what} must be a port number (${min}-65535), got '${text}'`);
  }
  return n;
}
