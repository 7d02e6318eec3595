/**
 * `/v1/users`: Cognito admins invite, list, reset and remove the pool's users (the workshop host's
 * participants). CloudTrail records each Cognito admin call with the API's role; the access log
 * line names the admin who asked.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { assertStillInGroup } from '../../auth/group-check';
import { UserDirectory, UserInviteSchema } from '../../auth/users';
import { ValidationError } from '../../errors';
import type { ApiDeps } from '../../wiring/api';
import { parseBody } from '../http';
import { readJson, requirePermission, type ApiEnv } from '../middleware';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export function usersRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const users = new UserDirectory(deps.clients.cognito, deps.platform.userPoolId);
  const permission = requirePermission(deps.authenticator, 'api-keys:manage');
  // Same rule as API keys: Cognito admins only (no API key), and still admins now.
  const manage: MiddlewareHandler<ApiEnv> = async (c, next) =>
    permission(c, async () => {
      await assertStillInGroup(deps.clients.cognito, deps.platform.userPoolId, c.get('principal')!, 'admin');
      await next();
    });
  const username = (raw: string) => {
    if (!USERNAME.test(raw)) throw new ValidationError('invalid user name', 'VALIDATION_ERROR');
    return raw;
  };

  r.post('/', manage, async (c) => {
    const input = parseBody(UserInviteSchema, await readJson(c), 'invitation');
    const out = await users.invite(input);
    // The only time the temporary password is shown.
    return c.json({ ...out.user, temporary_password: out.temporary_password }, 201);
  });

  r.get('/', manage, async (c) => c.json({ items: await users.list() }));

  r.post('/:username/reset-password', manage, async (c) => {
    const out = await users.resetPassword(username(c.req.param('username')));
    return c.json(out);
  });

  r.delete('/:username', manage, async (c) => {
    const principal = c.get('principal')!;
    const out = await users.remove(username(c.req.param('username')), principal.id);
    return c.json(out);
  });

  return r;
}
