/**
 * Named errors to HTTP: `{"error":{"code","message","details?"}}` with the status the error's kind
 * calls for. Bad input is always a 4xx; only our own failures are 5xx, with a generic message.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AbcaError, ConflictError, NotFoundError, ValidationError } from '../errors';
import { AuthUnavailableError, ForbiddenError, UnauthorizedError } from '../auth/errors';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Input that is well-formed but refused by policy: 422 rather than 400. */
const UNPROCESSABLE = new Set(['GUARDRAIL_VIOLATION', 'REPO_NOT_ONBOARDED', 'CEDAR_POLICY_UNPROCESSABLE']);

/** Too big to read: raised by the body limit. */
export class PayloadTooLargeError extends AbcaError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly fault = 'user' as const;
  readonly exitCode = 2 as const;
}

export function httpStatusOf(e: unknown): ContentfulStatusCode {
  if (e instanceof UnauthorizedError) return 401;
  if (e instanceof ForbiddenError) return 403;
  if (e instanceof PayloadTooLargeError) return 413;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof ConflictError) return e.code === 'PRECONDITION_FAILED' ? 412 : 409;
  if (e instanceof ValidationError) return UNPROCESSABLE.has(e.code) ? 422 : 400;
  if (e instanceof AuthUnavailableError) return 503;
  // The agent answered badly or not at all: an upstream failure, not ours and not the caller's.
  if (e instanceof AbcaError && e.code === 'AGENT_INVOCATION_FAILED') return 502;
  return 500;
}

export function errorBody(e: unknown): ErrorBody {
  // Our named errors carry messages we wrote (never secrets); anything else may not.
  if (e instanceof AbcaError) return { error: e.toJSON() };
  return { error: { code: 'INTERNAL', message: 'internal error; the request id in X-Request-Id identifies it in the logs' } };
}
