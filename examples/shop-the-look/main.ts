/**
 * `npm start`: the shop-the-look demo. Starts the Flow of flow.yml, indexes the bundled catalogue when the index
 * is empty, serves the web page and prints its address; Ctrl-C (SIGINT) or SIGTERM stops everything and exits 0.
 * Options: `npm start -- --help`.
 */
import { parseShopArgs, ShopError, USAGE, UsageError } from './src/config.js';
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

const app = new ShopApp(config);
let stopping: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals): void => {
  if (stopping) {
    console.error(`shop-the-look: ${signal} again while stopping; exiting now`);
    process.exit(1);
  }
  stopping = signal;
  console.error(`shop-the-look: ${signal}, shutting down…`);
  app.close().then(
    () => {
      console.error('shop-the-look: stopped');
      process.exit(0);
    },
    (err: Error) => {
      console.error(`shop-the-look: shutdown failed: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  await app.start();
  console.log(`\nShop the look is ready: open ${app.url}  (Ctrl-C stops it)`);
} catch (err) {
  // a signal during start-up closes the app under it; the handler above reports the stop
  if (!stopping) {
    const e = err as Error & { code?: string };
    const known = e instanceof ShopError || e.code?.startsWith('WEFT_');
    console.error(`shop-the-look failed to start: ${known ? e.message : (e.stack ?? e.message)}`);
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}
