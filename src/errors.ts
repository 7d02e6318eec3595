/**
 * Named errors. Each carries a stable `code` from the catalogue (src/error-codes.ts), which fixes
 * who is at fault, the process exit code and the HTTP status:
 *   0 ok · 1 failure (tool/AWS side) · 2 usage or bad input · 3 conflict, lock held or drift.
 * Raise them as `new XError(message, 'CODE', details?)`; the code must be one of the class's codes.
 */
import {
  canonicalCode,
  defaultCodeOf,
  ERROR_CLASSES,
  ERROR_CODES,
  isErrorCode,
  type CodeOf,
  type ErrorClassName,
  type ErrorCode,
  type ExitCode,
  type Fault,
} from './error-codes';

export type { ErrorCode, ExitCode, Fault } from './error-codes';

export abstract class AbcaError extends Error {
  abstract readonly code: string;
  abstract readonly fault: Fault;
  abstract readonly exitCode: ExitCode;
  /** Extra machine-readable context (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/**
 * An error whose code is declared in the catalogue: exit code, fault and HTTP status come from there.
 * Subclasses name their catalogue class in `static readonly errorClass`.
 */
export abstract class CataloguedError<C extends ErrorClassName> extends AbcaError {
  readonly code: ErrorCode;
  readonly fault: Fault;
  readonly exitCode: ExitCode;
  readonly httpStatus: number;

  constructor(message: string, code?: CodeOf<C>, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, details, options);
    const cls = (new.target as unknown as { errorClass: ErrorClassName }).errorClass;
    this.code = code === undefined ? defaultCodeOf(cls) : canonicalCode(code);
    this.fault = ERROR_CLASSES[cls].fault;
    this.exitCode = ERROR_CLASSES[cls].exit;
    this.httpStatus = ERROR_CODES[this.code].http;
  }
}

/** Bad flags or bad input: refused before anything is written. */
export class ValidationError extends CataloguedError<'ValidationError'> {
  static readonly errorClass = 'ValidationError';
}

/** Something named does not exist (env, image, version, repository). */
export class NotFoundError extends CataloguedError<'NotFoundError'> {
  static readonly errorClass = 'NotFoundError';
}

/** Another actor holds the lock, a version moved under us, or state conflicts. */
export class ConflictError extends CataloguedError<'ConflictError'> {
  static readonly errorClass = 'ConflictError';
}

/** AWS or the runtime failed us (update failed, timeout, smoke failed). */
export class OperationFailedError extends CataloguedError<'OperationFailedError'> {
  static readonly errorClass = 'OperationFailedError';
}

export function isAbcaError(e: unknown): e is AbcaError {
  return e instanceof AbcaError;
}

/** Exit code for anything thrown: named errors say theirs, the unknown is a tool failure. */
export function exitCodeOf(e: unknown): ExitCode {
  return isAbcaError(e) ? e.exitCode : 1;
}

/** HTTP status for anything thrown: the catalogue's for a declared code, else 500. */
export function httpStatusOfError(e: unknown): number {
  return e instanceof AbcaError && isErrorCode(e.code) ? ERROR_CODES[e.code].http : 500;
}

/** One clear line for an operator: `CODE: message`. */
export function describeError(e: unknown): string {
  if (isAbcaError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) {
    const name = e.name;
    return `${name && name !== 'Error' ? name + ': ' : ''}${e.message}`;
  }
  return String(e);
}
