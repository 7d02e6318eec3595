/** Authentication and authorization refusals, as named errors the HTTP layer maps to 401 and 403. */
import { AbcaError } from '../errors';

/** No credentials, or credentials that do not prove who the caller is (bad, expired, revoked). */
export class UnauthorizedError extends AbcaError {
  readonly code: string;
  readonly fault = 'user' as const;
  readonly exitCode = 2 as const;
  constructor(message: string, code = 'UNAUTHORIZED') {
    super(message);
    this.code = code;
  }
}

/** A known caller asking for something its groups or scopes do not allow. */
export class ForbiddenError extends AbcaError {
  readonly code: string;
  readonly fault = 'user' as const;
  readonly exitCode = 2 as const;
  constructor(message: string, code = 'FORBIDDEN') {
    super(message);
    this.code = code;
  }
}

/** The identity provider's signing keys could not be fetched: our side, not the caller's. */
export class AuthUnavailableError extends AbcaError {
  readonly code = 'AUTH_UNAVAILABLE';
  readonly fault = 'tool' as const;
  readonly exitCode = 1 as const;
}
