/**
 * Makes the runtime serve what the pointer says (the image-pointer custom resource's job after
 * every infra deploy, and the repair after a crashed publish). No lock: deploy-infra and
 * deploy-runtime share one CI concurrency group, so a publish never runs alongside.
 */
import { containerUri } from '../platform/runtime-spec';
import { getRuntime, newClientToken, liveDigest, updateRuntime, waitReady } from './agent-runtime';
import { recordAudit } from './audit';
import type { RuntimeContext } from './context';
import { resolveImage } from './image';
import { readPointer } from './pointer';

export interface ReapplyResult {
  digest: string;
  runtimeVersion?: string;
  changed: boolean;
}

export async function reapplyPointer(ctx: RuntimeContext, opts: { timeoutMs: number; pollIntervalMs: number; reason?: string }): Promise<ReapplyResult> {
  const pointer = await readPointer(ctx.clients.ssm, ctx.platform.imagePointerParameter);
  // The pointer's image must exist in the platform repository before anything runs it.
  await resolveImage(ctx, { imageDigest: pointer.digest });
  let live = await getRuntime(ctx);
  if (live.status === 'UPDATING' || live.status === 'CREATING') live = await waitReady(ctx, opts);
  const from = liveDigest(live);
  if (from === pointer.digest && live.status === 'READY') return { digest: pointer.digest, runtimeVersion: live.agentRuntimeVersion, changed: false };
  ctx.log(`runtime serves ${from ?? 'no digest'}; re-applying pointer ${pointer.digest}`);
  const version = await updateRuntime(ctx, live, containerUri(ctx.platform.ecrRepositoryUrl, pointer.digest), newClientToken());
  const ready = await waitReady(ctx, { ...opts, version });
  await recordAudit(ctx, {
    action: 'reapply',
    from_digest: from,
    to_digest: pointer.digest,
    pointer_version: pointer.version,
    runtime_version: ready.agentRuntimeVersion,
    reason: opts.reason,
    outcome: 'repaired',
  });
  return { digest: pointer.digest, runtimeVersion: ready.agentRuntimeVersion, changed: true };
}
