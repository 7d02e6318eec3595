/** `/v1/environment`: what this environment serves, its drift and its release timeline (any reader). */
import { Hono } from 'hono';
import type { RuntimeContext } from '../../runtime';
import { runtimeHistory, runtimeStatus } from '../../runtime';
import { getEndpoint, versionDigest } from '../../runtime/endpoints';
import type { ApiDeps } from '../../wiring/api';
import { environmentView } from '../environment';
import { requirePermission, type ApiEnv } from '../middleware';

/** How many releases the timeline shows. */
export const TIMELINE_LIMIT = 25;

export function environmentRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const read = requirePermission(deps.authenticator, 'repos:read');
  r.get('/', read, async (c) => {
    const ctx: RuntimeContext = { env: deps.env, platform: deps.platform, clients: deps.clients, actor: 'api', log: () => {} };
    // canary may not exist yet (no publish so far): then it serves nothing.
    const canaryDigest = async () => {
      const endpoint = await getEndpoint(ctx, deps.platform.canaryEndpoint).catch(() => undefined);
      const served = endpoint?.liveVersion ? await versionDigest(ctx, endpoint.liveVersion) : undefined;
      return { name: deps.platform.canaryEndpoint, digest: served?.digest, status: endpoint?.status };
    };
    const [report, history, canary] = await Promise.all([runtimeStatus(ctx), runtimeHistory(ctx, TIMELINE_LIMIT), canaryDigest()]);
    return c.json(environmentView(report, history.entries, canary));
  });
  return r;
}
