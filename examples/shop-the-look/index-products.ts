/**
 * `npm run index -- <folder>`: index a folder of product images (sub-folders are categories, `products.json` is
 * optional) into the data folder, then exit; `npm start` afterwards serves that catalogue. Products already indexed
 * are skipped, so running it again after adding images indexes only the new ones. Exit code 0 when every product is
 * in the index, 1 when the indexing failed or skipped images (they are named).
 */
import { join } from 'node:path';
import { EXAMPLE_DIR, parseShopArgs, ShopError, USAGE, UsageError } from './src/config.js';
import { runApp } from './src/run-app.js';
import { ShopApp } from './src/shop.js';

let config: ReturnType<typeof parseShopArgs>;
try {
  config = parseShopArgs(process.argv.slice(2), process.env, { positionalCatalogue: true });
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
  new ShopApp({ ...config, port: 0, host: '127.0.0.1' }),
  async (app) => {
    const s = await app.indexed();
    if (s.state === 'failed') throw new ShopError(`indexing failed: ${s.error}`);
    console.log(`\n${s.done} of ${s.total} products of ${app.config.catalogueDir} are in ${app.config.dataDir}.`);
    for (const { id, reason } of s.skipped) console.log(`  skipped ${id}: ${reason}`);
    const dataFlag = app.config.dataDir === join(EXAMPLE_DIR, '.data') ? '' : ` -- --data-dir ${app.config.dataDir}`;
    console.log(`Serve them with: npm start${dataFlag}`);
    return s.skipped.length > 0 ? 1 : 0;
  },
  (err) => err instanceof ShopError,
  { exitWhenDone: true },
);
