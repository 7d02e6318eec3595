/**
 * API Gateway REQUEST authorizer: lets a request through when it carries a valid Cognito access
 * token or API key (the same Authenticator as the app), and passes who it is to the handler in the
 * authorizer context. What the caller may do is decided by the handler, which authenticates again.
 * Caching is off in the stack, so a revoked key stops working at once.
 */
import type { Authenticator } from '../auth/authenticate';
import { UnauthorizedError } from '../auth/errors';
import { actorOf } from '../auth/principal';

export interface AuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: Record<string, string | undefined> | null;
}

export interface AuthorizerResult {
  principalId: string;
  policyDocument: { Version: '2012-10-17'; Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }[] };
  context: Record<string, string>;
}

export function isAuthorizerEvent(event: unknown): event is AuthorizerEvent {
  const e = event as Partial<AuthorizerEvent> | null;
  return !!e && e.type === 'REQUEST' && typeof e.methodArn === 'string';
}

/** Header lookup without regard to case (API Gateway passes them as the client sent them). */
function header(headers: AuthorizerEvent['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/**
 * Allow, or throw `Unauthorized` (API Gateway's convention for a 401). Errors that are not about
 * the credentials (the signing keys cannot be fetched) propagate, which API Gateway turns into 500.
 */
export async function authorize(authenticator: Authenticator, event: AuthorizerEvent): Promise<AuthorizerResult> {
  try {
    const principal = await authenticator.authenticate({ authorization: header(event.headers, 'authorization'), apiKey: header(event.headers, 'x-api-key') });
    return {
      principalId: actorOf(principal),
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
      context: { principal_kind: principal.kind, principal_id: principal.id },
    };
  } catch (e) {
    if (e instanceof UnauthorizedError) throw new Error('Unauthorized', { cause: e });
    throw e;
  }
}
