/**
 * The head process: reads its configuration from `WEFT_HEAD_CONFIG`, serves a HeadServer, and speaks the same IPC
 * protocol as a worker: `{ type: 'ready', port, name, pid }` once serving, `{ type: 'failed', error }` then exit 1
 * when it cannot start. SIGTERM/SIGINT (or the parent going away) shut down gracefully, then exit 0.
 *
 * Start it through `headEntry()`.
 */
import { watchParent } from '../../orchestrate/index.js';
import { failurePayload, type WorkerMessage } from '../worker/index.js';
import { type HeadConfig, parseHeadConfig } from './head-config.js';
import { HeadServer } from './head-server.js';

let label = 'weft head';
let config: HeadConfig | undefined;
let server: HeadServer | undefined;
let ready = false;
let exiting = false;
let shuttingDown: Promise<void> | undefined;

function send(message: WorkerMessage): Promise<void> {
  if (!process.send || !process.connected) return Promise.resolve();
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  if (process.connected) process.disconnect();
  process.exit(code);
}

async function fail(err: unknown): Promise<void> {
  const payload = failurePayload(err);
  process.stderr.write(`${label} failed to start: ${payload.stack}\n`);
  await send({ type: 'failed', error: payload });
  exit(1);
}

function shutdown(reason: string): void {
  if (shuttingDown) {
    process.stderr.write(`${label}: ${reason} again during shutdown; exiting now\n`);
    exit(1);
    return;
  }
  shuttingDown = (async () => {
    process.stderr.write(`${label}: ${reason}, shutting down\n`);
    try {
      await server?.stop(config?.shutdownGraceMs !== undefined ? { graceMs: config.shutdownGraceMs } : {});
      exit(0);
    } catch (err) {
      process.stderr.write(`${label}: shutdown failed: ${(err as Error)?.stack ?? String(err)}\n`);
      exit(1);
    }
  })();
}

process.on('uncaughtException', (err) => {
  if (!ready) return void fail(err);
  process.stderr.write(`${label} crashed: ${err.stack ?? err.message}\n`);
  exit(1);
});
process.on('unhandledRejection', (reason) => {
  if (!ready) return void fail(reason);
  process.stderr.write(`${label} crashed: ${(reason as Error)?.stack ?? String(reason)}\n`);
  exit(1);
});
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
watchParent((why) => {
  if (!exiting) shutdown(`parent process went away (${why})`);
});

try {
  config = parseHeadConfig(process.env.WEFT_HEAD_CONFIG);
  label = `weft head ${config.name}`;
  server = new HeadServer(config);
  const port = await server.start();
  if (!shuttingDown) {
    ready = true;
    await send({ type: 'ready', port, name: config.name, pid: process.pid });
  }
} catch (err) {
  await fail(err);
}
