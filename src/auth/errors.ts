/** Authentication and authorization refusals, as named errors the HTTP layer maps to 401 and 403. */
import { CataloguedError } from '../errors';

/** No credentials, or credentials that do not prove who the caller is (bad, expired, revoked). */
export class UnauthorizedError extends CataloguedError<'UnauthorizedError'> {
  static readonly errorClass = 'UnauthorizedError';
}

/** A known caller asking for something its groups or scopes do not allow. */
export class ForbiddenError extends CataloguedError<'ForbiddenError'> {
  static readonly errorClass = 'ForbiddenError';
}

/** The identity provider's signing keys could not be fetched: our side, not the caller's. */
export class AuthUnavailableError extends CataloguedError<'AuthUnavailableError'> {
  static readonly errorClass = 'AuthUnavailableError';
}
