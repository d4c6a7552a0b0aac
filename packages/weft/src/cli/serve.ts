/**
 * Serving until told to stop, for the `weft flow|executor|deployment|gateway` commands: start, print the addresses,
 * wait for SIGINT or SIGTERM, stop gracefully and resolve with the exit code (0 after a clean stop, 1 when the
 * start or the stop failed). A signal during start-up stops whatever started as soon as the start settles; a
 * second signal exits at once (with code 1; runtime child processes are killed on the way out).
 */
import type { CliIo } from './command.js';

export interface Serving {
  /** Lines for stdout once serving (e.g. `grpc://127.0.0.1:54321`, one per protocol). */
  addresses: string[];
  /** Stop gracefully. */
  stop(): Promise<void>;
}

/**
 * Start with `start`, serve until SIGINT/SIGTERM, then stop.
 * @example return serveUntilSignal('weft flow', io, async () => { … return { addresses, stop } })
 */
export async function serveUntilSignal(label: string, io: CliIo, start: () => Promise<Serving>): Promise<number> {
  let signalled: NodeJS.Signals | undefined;
  let onStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    onStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      io.err(`${label}: ${signal} again while stopping; exiting now`);
      process.exit(1);
    }
    signalled = signal;
    onStop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let serving: Serving;
    try {
      serving = await start();
    } catch (err) {
      io.err(`${label} failed to start: ${describe(err)}`);
      return 1;
    }
    for (const line of serving.addresses) io.out(line);
    const signal = await stopRequested;
    io.err(`${label}: ${signal}, shutting down`);
    try {
      await serving.stop();
    } catch (err) {
      io.err(`${label}: shutdown failed: ${describe(err)}`);
      return 1;
    }
    io.err(`${label}: stopped`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** An error's own message (its stack when it is not one of weft's errors, whose messages say everything). */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('WEFT_') ? `${err.message} (${code})` : (err.stack ?? err.message);
}
