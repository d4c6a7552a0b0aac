/**
 * The base class of every error weft raises on purpose. Each subclass carries a stable `code` (see
 * `codes.ts`), the gRPC and HTTP status it maps to, whether retrying may help, an optional `cause`, and
 * serialises to JSON for logs and wire transport.
 *
 * `instanceof` holds across two installed copies of weft (an executor package peer-depends on weft, and npm may
 * install it twice): every instance carries a brand under `Symbol.for('weft.error')` naming its class chain, and
 * each class's `Symbol.hasInstance` accepts a branded value whose chain names that class.
 */
import { ERROR_CODES, type ErrorCode } from './codes.js';

/** The registry-wide symbol a weft error's class chain is stored under (one per process, shared by every copy). */
export const ERROR_BRAND: unique symbol = Symbol.for('weft.error') as never;

export interface WeftErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** Structured facts about the failure (field name, path, address…), included in `toJSON()`. */
  details?: Record<string, unknown>;
}

/** The class names from `ctor` up to `WeftError`, cached per class. */
const chains = new WeakMap<object, readonly string[]>();
function classChain(ctor: object): readonly string[] {
  let chain = chains.get(ctor);
  if (!chain) {
    const names: string[] = [];
    for (let c: unknown = ctor; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      names.push((c as { name: string }).name);
      if (c === WeftError) break;
    }
    chain = Object.freeze(names);
    chains.set(ctor, chain);
  }
  return chain;
}

/** The class chain a value is branded with (from any copy of weft), or undefined. */
export function errorBrand(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const brand = (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND];
  return Array.isArray(brand) ? (brand as string[]) : undefined;
}

export class WeftError extends Error {
  /** The code this class raises by default; subclasses override it. */
  static readonly code: ErrorCode = 'WEFT_ERROR';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  declare readonly [ERROR_BRAND]: readonly string[];

  /**
   * True for an instance of this class from this copy of weft, or a weft error from another copy whose class
   * chain names this class (`BadRequestError` from a second install is a `BadRequestError` and a `WeftError`).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return errorBrand(value)?.includes(this.name) === true;
  }

  constructor(message: string, options: WeftErrorOptions = {}, code?: ErrorCode) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code ?? (this.constructor as typeof WeftError).code;
    this.name = this.constructor.name;
    this.details = options.details ?? {};
    Object.defineProperty(this, ERROR_BRAND, { value: classChain(this.constructor), enumerable: false });
  }

  /** gRPC status code this error travels as. */
  get grpcStatus(): number {
    return (ERROR_CODES[this.code] ?? ERROR_CODES.WEFT_ERROR).grpc;
  }

  /** HTTP status a gateway answers with. */
  get httpStatus(): number {
    return (ERROR_CODES[this.code] ?? ERROR_CODES.WEFT_ERROR).http;
  }

  /** Whether the same call may succeed when retried. */
  get retryable(): boolean {
    return (ERROR_CODES[this.code] ?? ERROR_CODES.WEFT_ERROR).retryable;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (Object.keys(this.details).length > 0) out.details = this.details;
    if (this.cause !== undefined) out.cause = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return out;
  }
}
