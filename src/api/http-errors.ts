/**
 * Named errors to HTTP: `{"error":{"code","message","details?"}}` with the status the catalogue
 * (src/error-codes.ts) declares for the code. Bad input is always a 4xx; only our own failures are
 * 5xx, with a generic message.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AbcaError, CataloguedError, httpStatusOfError, type ErrorCode } from '../errors';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Too big to read: raised by the body limit. */
export class PayloadTooLargeError extends CataloguedError<'PayloadTooLargeError'> {
  static readonly errorClass = 'PayloadTooLargeError';
}

export function httpStatusOf(e: unknown): ContentfulStatusCode {
  return httpStatusOfError(e) as ContentfulStatusCode;
}

/** A body for an answer the app writes itself (no route, the framework's refusals). */
export function codedBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function errorBody(e: unknown): ErrorBody {
  // Our named errors carry messages we wrote (never secrets); anything else may not.
  if (e instanceof AbcaError) return { error: e.toJSON() };
  return codedBody('INTERNAL', 'internal error; the request id in X-Request-Id identifies it in the logs');
}
