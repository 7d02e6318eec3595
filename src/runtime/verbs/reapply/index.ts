/**
 * re-apply: make `live` serve what the pointer says, on the runtime's latest configuration. The
 * image-pointer custom resource runs it when its input changes (an infra deploy that changed the
 * runtime's configuration), and it is the repair after a crashed publish. Same plan and applier
 * as publish: UpdateAgentRuntime only when the latest version does not already serve the pointer,
 * then `live` onto that version. No lock: deploy-infra and deploy-runtime share one CI concurrency
 * group, so a publish never runs alongside.
 *
 * MMDSv2: Terraform's create and update make versions without metadataConfiguration.requireMMDSV2
 * (the provider cannot set it), and AgentCore invokes no such version since 2026-06-30. So when
 * the latest version lacks it, re-apply first makes a new version of the same configuration and the
 * pointer's image with it (even when the image did not change), then moves `live` and `canary` there.
 */
import { getRuntime, requiresMmdsV2, waitReady } from '../../agent-runtime';
import { applySteps, initialState } from '../../apply';
import type { RuntimeContext } from '../../context';
import { endpointNames, getEndpoint, moveEndpoint, versionDigest } from '../../endpoints';
import { resolveImage } from '../../image';
import { moveTo, type RuntimeOperationResult } from '../../move';
import type { MovePath } from '../../plan';
import { readPointer } from '../../pointer';
import type { ReapplyOptions } from './options';

export * from './options';

export interface ReapplyResult {
  digest: string;
  runtimeVersion?: string;
  changed: boolean;
  path?: MovePath;
  operation?: RuntimeOperationResult;
}

export async function reapplyPointer(ctx: RuntimeContext, opts: ReapplyOptions): Promise<ReapplyResult> {
  const pointer = await readPointer(ctx.clients.ssm, ctx.platform.imagePointerParameter);
  // The pointer's image must exist in the platform repository before anything runs it.
  await resolveImage(ctx, { imageDigest: pointer.digest });
  // An infra apply may have just updated the runtime: plan on the settled version, not a moving one.
  let latest = await getRuntime(ctx);
  if (latest.status === 'UPDATING' || latest.status === 'CREATING') latest = await waitReady(ctx, { ...opts, version: latest.agentRuntimeVersion });
  let mmdsVersion: string | undefined;
  if (!requiresMmdsV2(latest) && !opts.dryRun) {
    // The same configuration, the pointer's image, MMDSv2 required (buildUpdateRequest sets it).
    ctx.log(`runtime version ${latest.agentRuntimeVersion} is not MMDSv2-enabled: making a version that is`);
    const state = await applySteps(
      ctx,
      [
        { kind: 'update_runtime', digest: pointer.digest },
        { kind: 'wait_version', version: 'new' },
      ],
      { action: 'reapply', from: { digest: pointer.digest, pointerVersion: pointer.version }, to: pointer.digest, wait: opts, audit: { reason: opts.reason } },
      initialState(),
    );
    mmdsVersion = state.newVersion;
  }
  const op = await moveTo(ctx, 'reapply', pointer.digest, { ...opts }, { lock: false, restoreOnFailure: false });
  const canary = op.outcome === 'dry_run' ? undefined : await canaryOntoLive(ctx, opts, op.runtimeVersion);
  const changed = op.outcome === 'published' || mmdsVersion !== undefined || canary !== undefined;
  if (!changed) return { digest: pointer.digest, runtimeVersion: op.runtimeVersion, changed: false, path: op.path, operation: op };
  ctx.log(`re-applied pointer ${pointer.digest} (${op.path} path), live on version ${op.runtimeVersion}${canary ? `, canary moved to version ${canary}` : ''}`);
  return { digest: pointer.digest, runtimeVersion: op.runtimeVersion, changed: true, path: op.path, operation: op };
}

/**
 * `canary` serves traffic too (the smoke invokes it): when its version is not MMDSv2-enabled, it
 * goes where `live` is. Returns the version it moved to, if it moved.
 */
async function canaryOntoLive(ctx: RuntimeContext, opts: ReapplyOptions, liveVersion: string | undefined): Promise<string | undefined> {
  const name = endpointNames(ctx).canary;
  const canary = await getEndpoint(ctx, name).catch(() => undefined);
  if (!canary?.liveVersion || !liveVersion || canary.liveVersion === liveVersion) return undefined;
  if ((await versionDigest(ctx, canary.liveVersion))?.mmdsv2 === true) return undefined;
  ctx.log(`endpoint ${name} serves version ${canary.liveVersion}, not MMDSv2-enabled: moving it to version ${liveVersion}`);
  await moveEndpoint(ctx, name, liveVersion, opts);
  return liveVersion;
}
