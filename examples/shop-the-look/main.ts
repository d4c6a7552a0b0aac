/**
 * `npm start`: the shop-the-look app. Starts the Flow of flow.yml, whose gateway serves the page and its API on
 * one port and indexes the catalogue's missing products in the background; prints the page's address. Ctrl-C
 * (SIGINT) or SIGTERM stops everything and exits 0. Options: `npm start -- --help`.
 */
import { parseShopArgs, ShopError, USAGE, UsageError } from './src/config.js';
import { runApp } from './src/run-app.js';
import { ShopApp } from './src/shop.js';

let config: ReturnType<typeof parseShopArgs>;
try {
  config = parseShopArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`shop-the-look: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (!config) {
  console.log(USAGE);
  process.exit(0);
}

await runApp(
  new ShopApp(config),
  async (app) => {
    console.log(`\nShop the look is ready: open ${app.url}  (Ctrl-C stops it)`);
    return undefined;
  },
  (err) => err instanceof ShopError,
);
