/** `/v1/api-keys`: Cognito admins create, list and revoke scoped API keys. */
import { Hono, type MiddlewareHandler } from 'hono';
import { assertStillInGroup } from '../../auth/group-check';
import { ApiKeyCreateSchema, isKeyId } from '../../auth/api-keys';
import { NotFoundError } from '../../errors';
import { parseBody } from '../http';
import type { ApiDeps } from '../../wiring/api';
import { callerOf, readJson, requirePermission, type ApiEnv } from '../middleware';

export function apiKeysRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const permission = requirePermission(deps.authenticator, 'api-keys:manage');
  // The token's groups may be an hour old: ask Cognito whether the caller is still an admin.
  const manage: MiddlewareHandler<ApiEnv> = async (c, next) =>
    permission(c, async () => {
      await assertStillInGroup(deps.clients.cognito, deps.platform.userPoolId, c.get('principal')!, 'admin');
      await next();
    });

  r.post('/', manage, async (c) => {
    const input = parseBody(ApiKeyCreateSchema, await readJson(c), 'API key');
    const caller = callerOf(c);
    const { key, apiKey } = await deps.apiKeys.create(input, caller.actor);
    await deps.audit.record('api-keys', { action: 'api_key_create', actor: caller.actor, subject: key.key_id, request_id: caller.requestId, after: key });
    // The only time the key is ever shown.
    return c.json({ ...key, api_key: apiKey }, 201);
  });

  r.get('/', manage, async (c) => c.json({ items: await deps.apiKeys.list() }));

  r.delete('/:key_id', manage, async (c) => {
    const keyId = c.req.param('key_id');
    if (!isKeyId(keyId)) throw new NotFoundError('API key not found (ids are 16 hex characters)', 'API_KEY_NOT_FOUND');
    const caller = callerOf(c);
    const { key, changed } = await deps.apiKeys.revoke(keyId, caller.actor);
    if (changed)
      await deps.audit.record('api-keys', { action: 'api_key_revoke', actor: caller.actor, subject: keyId, request_id: caller.requestId, after: key });
    return c.json(key);
  });

  return r;
}
