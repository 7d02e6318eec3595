/**
 * Named errors. Each carries a stable `code` (shown to operators and in `--json`), who is at
 * fault, and the process exit code it maps to:
 *   0 ok · 1 failure (tool/AWS side) · 2 usage or bad input · 3 conflict, lock held or drift.
 */
export type Fault = 'user' | 'tool';
export type ExitCode = 0 | 1 | 2 | 3;

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

/** Bad flags or bad input: refused before anything is written. */
export class ValidationError extends AbcaError {
  readonly code: string;
  readonly fault = 'user' as const;
  readonly exitCode = 2 as const;
  constructor(message: string, code = 'VALIDATION_ERROR', details?: Record<string, unknown>) {
    super(message, details);
    this.code = code;
  }
}

/** Something named does not exist (env, image, version, repository). */
export class NotFoundError extends AbcaError {
  readonly code: string;
  readonly fault = 'user' as const;
  readonly exitCode = 2 as const;
  constructor(message: string, code = 'NOT_FOUND', details?: Record<string, unknown>) {
    super(message, details);
    this.code = code;
  }
}

/** Another actor holds the lock, a version moved under us, or state conflicts. */
export class ConflictError extends AbcaError {
  readonly code: string;
  readonly fault = 'user' as const;
  readonly exitCode = 3 as const;
  constructor(message: string, code = 'CONFLICT', details?: Record<string, unknown>) {
    super(message, details);
    this.code = code;
  }
}

/** Pointer, runtime and Terraform disagree. */
export class DriftError extends AbcaError {
  readonly code = 'DRIFT';
  readonly fault = 'tool' as const;
  readonly exitCode = 3 as const;
}

/** AWS or the runtime failed us (update failed, timeout, smoke failed). */
export class OperationFailedError extends AbcaError {
  readonly code: string;
  readonly fault = 'tool' as const;
  readonly exitCode = 1 as const;
  constructor(message: string, code = 'OPERATION_FAILED', details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, details, options);
    this.code = code;
  }
}

export function isAbcaError(e: unknown): e is AbcaError {
  return e instanceof AbcaError;
}

/** Exit code for anything thrown: named errors say theirs, the unknown is a tool failure. */
export function exitCodeOf(e: unknown): ExitCode {
  return isAbcaError(e) ? e.exitCode : 1;
}

/** One clear line for an operator: `CODE: message`. */
export function describeError(e: unknown): string {
  if (isAbcaError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) {
    const name = (e as { name?: string }).name;
    return `${name && name !== 'Error' ? name + ': ' : ''}${e.message}`;
  }
  return String(e);
}
