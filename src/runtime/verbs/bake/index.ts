/**
 * bake: the bake window on its own (`bgagent runtime bake --env`), so CI can start it after a
 * publish without holding a runner for the whole window; `publish --bake` runs the same watcher.
 * What to bake comes from the audit: the newest publish that moved `live`, if `live` still serves it.
 */
import { NotFoundError } from '../../../errors';
import { readReleasePolicy } from '../../../platform/release-policy';
import { listAudit, type RuntimeAuditEvent } from '../../audit';
import { watchBake, type BakeOptions, type BakeResult, type BakeTarget } from '../../bake';
import type { RuntimeContext } from '../../context';
import { endpointNames, getEndpoint } from '../../endpoints';

export * from './options';

/** Pure: the newest publish that moved `live` onto `liveVersion`, and the version it replaced. */
export function bakeTargetFromAudit(events: readonly RuntimeAuditEvent[], liveVersion: string | undefined): BakeTarget | undefined {
  const newestFirst = [...events].sort((a, b) => (a.event_id < b.event_id ? 1 : -1));
  const i = newestFirst.findIndex((e) => e.live_moved && e.outcome === 'succeeded' && e.live_version !== undefined);
  const moved = newestFirst[i];
  if (!moved || moved.action !== 'publish' || moved.live_version !== liveVersion || !moved.from_digest) return undefined;
  const before = newestFirst.slice(i + 1).find((e) => (e.outcome === 'succeeded' || e.outcome === 'repaired') && e.live_version !== undefined);
  return {
    version: moved.live_version!,
    digest: moved.to_digest,
    previousDigest: moved.from_digest,
    ...(before?.live_version ? { previousVersion: before.live_version } : {}),
    since: moved.at,
  };
}

export async function bakeRuntime(ctx: RuntimeContext, opts: BakeOptions = {}): Promise<BakeResult> {
  const [policy, events, live] = await Promise.all([
    readReleasePolicy(ctx.clients.ssm, ctx.env),
    listAudit(ctx, 200),
    getEndpoint(ctx, endpointNames(ctx).live),
  ]);
  const target = bakeTargetFromAudit(events, live.liveVersion);
  if (!target) {
    throw new NotFoundError(
      `nothing to bake in "${ctx.env}": live (version ${live.liveVersion ?? '-'}) was not moved there by the newest publish in the audit`,
      'NOTHING_TO_BAKE',
    );
  }
  return watchBake(ctx, target, policy.bake, opts);
}
