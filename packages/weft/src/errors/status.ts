/**
 * The in-band error status of Jina's wire protocol (`StatusProto` with its `ExceptionProto`) and the conversion
 * between it and errors: an executor exception becomes a status on the way out, and a status becomes an
 * `ExecutorError` (with the remote class name, executor and stack) on the way back in.
 */
import { ExecutorError, WeftError } from './weft-error.js';

export const StatusCode = { SUCCESS: 0, ERROR: 1 } as const;

export interface ExceptionInfo {
  name: string;
  args: string[];
  stacks: string[];
  executor: string;
}

export interface Status {
  code: number;
  description: string;
  exception?: ExceptionInfo;
}

/** The status an exception raised by `executor` travels as. */
export function statusFromError(err: unknown, executor: string): Status {
  const e = err instanceof Error ? err : new Error(String(err));
  const name = e instanceof ExecutorError ? e.remoteName : e.name || 'Error';
  const args = e instanceof ExecutorError ? e.remoteArgs : [e.message];
  const stack = e instanceof ExecutorError ? e.remoteStack : (e.stack ?? `${name}: ${e.message}`);
  const code = e instanceof WeftError ? e.code : undefined;
  return {
    code: StatusCode.ERROR,
    description: `${name}(${JSON.stringify(e.message)})${code ? ` [${code}]` : ''}`,
    exception: {
      name,
      args,
      stacks: stack.split('\n').map((l) => `${l}\n`),
      executor: e instanceof ExecutorError ? e.executor : executor,
    },
  };
}

/** The error a failed status stands for (an `ExecutorError` carrying the remote details). */
export function errorFromStatus(status: Status): ExecutorError {
  const ex = status.exception;
  const message = ex?.args[0] ?? status.description ?? 'executor error';
  const executor = ex?.executor ?? '';
  const err = new ExecutorError(executor ? `${message} (raised by executor '${executor}')` : message, {
    name: ex?.name ?? 'ExecutorError',
    executor,
    args: ex?.args ?? [message],
    stack: (ex?.stacks ?? []).join(''),
  });
  return err;
}
