/**
 * The IPC protocol between a runtime process (worker, head, gateway) and its parent: `ready` once serving,
 * `failed` when it could not start (with the error as raised — an executor's keeps its own name, message and
 * stack — and a weft error code).
 */
import { WeftError } from '../../errors/index.js';

export interface WorkerFailure {
  name: string;
  message: string;
  stack: string;
  /** A weft error code (`WEFT_EXECUTOR_LOAD` for exceptions of the executor's own constructor). */
  code: string;
}

/**
 * Where a runtime process's start-up time went (milliseconds, wall clock): `node` is node's own bootstrap, `imports`
 * loading weft's modules up to the main's first line, `config` decoding the configuration, then the runtime's own
 * phases (`telemetry`: logging and tracing set-up; a worker's `load executor`, `construct`, `bind`); `cpuMs` is the process's CPU time (user + system) when
 * it reported ready, the measure to compare on a busy machine. For benchmarks and diagnostics.
 */
export interface StartupTimings {
  phases: Record<string, number>;
  cpuMs: number;
  /** Process start to the ready report. */
  readyMs: number;
}

/** Messages a runtime process sends to its parent. */
export type WorkerMessage =
  | { type: 'ready'; port: number; name: string; pid: number; startup?: StartupTimings }
  | { type: 'failed'; error: WorkerFailure };

/** The error as it travels to the parent: an exception of the executor keeps its own name, message and stack. */
export function failurePayload(err: unknown): WorkerFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const own = (e as { code?: unknown }).code;
  const code = e instanceof WeftError ? e.code : typeof own === 'string' ? own : 'WEFT_EXECUTOR_LOAD';
  return { name: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}`, code };
}

/** Whether an IPC message is one of a runtime process's own. */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const m = message as { type?: unknown } | null;
  return typeof m === 'object' && m !== null && (m.type === 'ready' || m.type === 'failed');
}
