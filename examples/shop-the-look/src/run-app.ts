/**
 * The life of the app's process, shared by `npm start` and `npm run index`: start, run `body`, stop on SIGINT or
 * SIGTERM (a second signal exits at once), report known errors (a bad catalogue, a port in use) by their message.
 */
import type { ShopApp } from './shop.js';

export async function runApp(
  app: ShopApp,
  body: (app: ShopApp) => Promise<number | undefined>,
  /** Errors reported by their message alone (a user can fix them). */
  isKnown: (err: unknown) => boolean,
  { exitWhenDone = false } = {},
): Promise<void> {
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
    const code = await body(app);
    if (exitWhenDone) {
      await app.close();
      process.exit(code ?? 0);
    }
  } catch (err) {
    // a signal during start-up closes the app under it; the handler above reports the stop
    if (stopping) return;
    const e = err as Error & { code?: string };
    const known = isKnown(err) || e.code?.startsWith('WEFT_');
    console.error(`shop-the-look failed: ${known ? e.message : (e.stack ?? e.message)}`);
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}
