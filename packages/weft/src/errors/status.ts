/**
 * The in-band error status of Jina's wire protocol (`StatusProto` with its `ExceptionProto`) and the two
 * conversions every runtime uses: an error raised by an executor becomes a status on the way out
 * (`statusFromError`), and a failed status becomes the error it stands for on the way back in
 * (`errorFromStatus`: the weft class of its code, or an `ExecutorError` for an executor's own exception). Both
 * are `toWire`/`fromWire` (see `wire.ts`) in the status envelope.
 */
import { StatusCode } from './codes.js';
import type { WeftError } from './weft-error.js';
import { fromWire, statusOfWire, toWire, wireOfStatus } from './wire.js';

export { StatusCode };

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
  return statusOfWire(toWire(err, { executor }));
}

/**
 * The error a failed status stands for: `BadRequestError` for a status tagged `[WEFT_BAD_REQUEST]`, an
 * `ExecutorError` (remote name, code, executor and stack) for an executor's own exception.
 */
export function errorFromStatus(status: Status): WeftError {
  return fromWire(wireOfStatus(status));
}
