/**
 * One authentication step for every entry point (the HTTP app and the API Gateway authorizer):
 * `Authorization: Bearer <Cognito access token>` or `X-Api-Key: bgak_<id>_<secret>`, exactly one.
 */
import type { ApiKeyStore } from './api-keys';
import type { AccessTokenVerifier } from './cognito';
import { ForbiddenError, UnauthorizedError } from './errors';
import type { Permission, Principal } from './principal';

export interface Credentials {
  authorization?: string | null;
  apiKey?: string | null;
}

export class Authenticator {
  constructor(
    private readonly verifyAccessToken: AccessTokenVerifier,
    private readonly apiKeys: ApiKeyStore,
  ) {}

  async authenticate(creds: Credentials): Promise<Principal> {
    const authorization = creds.authorization?.trim();
    const apiKey = creds.apiKey?.trim();
    if (authorization && apiKey) throw new UnauthorizedError('send either Authorization or X-Api-Key, not both', 'AMBIGUOUS_CREDENTIALS');
    if (apiKey) return this.apiKeys.authenticate(apiKey);
    if (!authorization) throw new UnauthorizedError('missing credentials: send "Authorization: Bearer <access token>" or "X-Api-Key: <key>"', 'UNAUTHORIZED');
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) throw new UnauthorizedError('Authorization must be "Bearer <access token>"', 'INVALID_TOKEN');
    return this.verifyAccessToken(m[1]!);
  }
}

/** 403 unless the principal holds the permission (by group for users, by scope for keys). */
export function assertPermission(principal: Principal, permission: Permission): void {
  if (principal.permissions.has(permission)) return;
  if (principal.kind === 'api_key') {
    throw new ForbiddenError(
      permission === 'api-keys:manage' ? 'API keys cannot manage API keys; use an admin user' : `API key lacks the "${permission}" scope`,
      'FORBIDDEN',
    );
  }
  const need = permission === 'repos:read' || permission === 'tasks:submit' ? 'admin or operator' : 'admin';
  throw new ForbiddenError(`requires the ${need} group (you are in: ${principal.groups.join(', ') || 'no group'})`, 'FORBIDDEN');
}
