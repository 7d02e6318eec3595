/**
 * Moving `live` to a digest, shared by publish, rollback, promote and re-apply: observe, plan (pure), then
 * under the deploy lock observe and plan again and apply exactly that plan. A failure before
 * `live` moved runs the restore plan: no task ever reached the failed image.
 */
import { OperationFailedError, describeError } from '../errors';
import { getRuntime, liveDigest } from './agent-runtime';
import { applySteps, initialState, type ApplyContext, type ApplyState } from './apply';
import type { CanaryReport, CanaryRunner, GoldenTaskSpec } from './release-check';
import { recordAudit } from './audit';
import type { RuntimeContext } from './context';
import { hasImage, type CopyResult, type RepositoryRef } from './ecr-copy';
import { endpointNames, findVersionServing, getEndpoint, versionDigest } from './endpoints';
import { acquireLock, releaseLock } from './lock';
import { planMove, planRestore, type Observation, type PlanStep, type RuntimeAction, type RuntimePlan, type MovePath } from './plan';
import { readPointer } from './pointer';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUT_MS, type ApplyOptions } from './options';

export interface RuntimeOperationResult {
  ok: boolean;
  action: 'publish' | 'rollback' | 'reapply';
  outcome: 'published' | 'noop' | 'dry_run';
  env: string;
  from: string;
  to: string;
  runtimeArn: string;
  /** The version `live` serves at the end (for a dry run or no-op: now). */
  runtimeVersion?: string;
  pointerVersion?: number;
  /** fast: `live` moved to a version that already served the digest; forward: a new version. */
  path: MovePath;
  plan: RuntimePlan;
  /** The steps that ran, in order: equal to `plan.steps` when it succeeded (empty for a dry run). */
  executed: PlanStep[];
  /** What the plan's `copy_image` step did (promotion), when it ran. */
  copied?: CopyResult;
  /** What the platform's canary check found, when it ran. */
  canary?: CanaryReport;
}

/** Promotion: the image may have to come from another environment's repository first. */
export interface CopyFrom {
  env: string;
  repository: RepositoryRef;
  /** The tag the copy gets in this repository. */
  tag: string;
}

export interface MoveHow {
  /** Rollback: look for a version that still serves the digest. */
  fast?: boolean;
  lock?: boolean;
  restoreOnFailure?: boolean;
  copyFrom?: CopyFrom;
  /** The platform's canary check on `canary` before `live` moves (publish's default). */
  canary?: { golden?: GoldenTaskSpec; run: CanaryRunner };
}

export async function observe(ctx: RuntimeContext): Promise<Observation> {
  const [pointer, latest, live] = await Promise.all([
    readPointer(ctx.clients.ssm, ctx.platform.imagePointerParameter),
    getRuntime(ctx),
    getEndpoint(ctx, endpointNames(ctx).live),
  ]);
  const served = !live.liveVersion
    ? undefined
    : live.liveVersion === latest.agentRuntimeVersion
      ? liveDigest(latest)
      : (await versionDigest(ctx, live.liveVersion))?.digest;
  return {
    pointer,
    latest: { version: latest.agentRuntimeVersion, status: latest.status, digest: liveDigest(latest) },
    live: { liveVersion: live.liveVersion, targetVersion: live.targetVersion, status: live.status, digest: served },
  };
}

async function plan(ctx: RuntimeContext, action: Exclude<RuntimeAction, 'restore'>, to: string, opts: ApplyOptions, how: MoveHow): Promise<RuntimePlan> {
  const repositoryName = ctx.platform.ecrRepositoryName;
  const [observed, inRepository] = await Promise.all([
    observe(ctx),
    how.copyFrom ? hasImage({ ecr: ctx.clients.ecr, repositoryName }, to) : Promise.resolve(undefined),
  ]);
  if (inRepository !== undefined) observed.image = { inRepository };
  // Rollback's fast path: a version AgentCore still keeps already serves the target.
  const existingVersion = how.fast && observed.live.digest !== to ? await findVersionServing(ctx, to) : undefined;
  const copyFrom = how.copyFrom && {
    env: how.copyFrom.env,
    repository: how.copyFrom.repository.repositoryName,
    into: repositoryName,
    tag: how.copyFrom.tag,
  };
  return planMove({
    env: ctx.env,
    action,
    runtimeId: ctx.platform.agentRuntimeId,
    observed,
    to,
    smokeCmd: opts.smokeCmd,
    existingVersion,
    copyFrom,
    ...(how.canary ? { canaryCheck: how.canary.golden ? { golden: how.canary.golden } : {} } : {}),
  });
}

export async function moveTo(
  ctx: RuntimeContext,
  action: Exclude<RuntimeAction, 'restore'>,
  to: string,
  opts: ApplyOptions,
  how: MoveHow = {},
): Promise<RuntimeOperationResult> {
  const { lock: useLock = true, restoreOnFailure = true } = how;
  const result = (p: RuntimePlan, outcome: RuntimeOperationResult['outcome'], state?: ApplyState): RuntimeOperationResult => ({
    ok: true,
    action,
    outcome,
    env: ctx.env,
    from: p.pointerDigest,
    to,
    runtimeArn: ctx.platform.agentRuntimeArn,
    runtimeVersion: state?.liveVersion ?? p.runtimeVersion,
    pointerVersion: state ? (state.pointerVersion ?? p.pointerVersion) : undefined,
    path: p.path,
    plan: p,
    executed: state?.executed ?? [],
    ...(state?.copied ? { copied: state.copied } : {}),
    ...(state?.canary ? { canary: state.canary } : {}),
  });
  const first = await plan(ctx, action, to, opts, how);
  if (opts.dryRun) return result(first, 'dry_run');
  if (first.noop) return result(first, 'noop');

  const common = { git_commit: opts.gitCommit, ci_run_url: opts.ciRunUrl, reason: opts.reason, promoted_from: opts.promotedFrom };
  let lock;
  if (useLock) {
    try {
      lock = await acquireLock(ctx, `${action} ${to.slice(0, 19)}`, opts.lockTtlMs);
    } catch (refused) {
      // A refused attempt is part of the deploy history too (who tried what, and why it did not run).
      await recordAudit(ctx, { action, from_digest: first.pointerDigest, to_digest: to, ...common, outcome: 'refused', error: describeError(refused) }).catch(
        () => undefined,
      );
      throw refused;
    }
  }
  try {
    // Plan again under the lock: another run may have moved things while we waited.
    const p = await plan(ctx, action, to, opts, how);
    if (p.noop) return result(p, 'noop');
    const wait = { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, pollIntervalMs: opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS };
    const run: ApplyContext = {
      action,
      // A re-apply repairs what live served; the others move the pointer on from its digest.
      from: {
        digest: action === 'reapply' ? (p.liveDigest ?? p.pointerDigest) : p.pointerDigest,
        pointerVersion: p.pointerVersion,
        liveVersion: p.runtimeVersion,
      },
      to,
      path: p.path,
      previousLabelVersion: p.pointerVersion,
      wait,
      audit: common,
      imageSource: how.copyFrom?.repository,
      canary: how.canary?.run,
    };
    ctx.log(`${action} ${to.slice(0, 19)}… (${p.path} path): ${p.steps.length} steps`);
    const state = initialState();
    try {
      await applySteps(ctx, p.steps, run, state);
    } catch (failure) {
      // What the failed run did, for the audit event either branch records.
      const failedEvent = (liveMoved: boolean, liveVersion: string | undefined, outcome: 'succeeded' | 'failed' | 'rolled_back') => ({
        action,
        from_digest: p.pointerDigest,
        to_digest: to,
        pointer_version: state.pointerVersion,
        runtime_version: state.newVersion,
        ...common,
        path: p.path,
        live_moved: liveMoved,
        live_version: liveVersion,
        outcome,
        error: describeError(failure),
      });
      if (state.liveMoved || !restoreOnFailure) {
        // `live` already serves the new version (only labels or the audit failed), or a re-apply: nothing to restore.
        await recordAudit(ctx, failedEvent(state.liveMoved, state.liveVersion ?? p.runtimeVersion, state.liveMoved ? 'succeeded' : 'failed')).catch(
          () => undefined,
        );
        throw failure;
      }
      await recordAudit(ctx, failedEvent(false, p.runtimeVersion, 'rolled_back'));
      const restoreTo = p.liveDigest ?? p.pointerDigest;
      await restore(ctx, p, state, restoreTo, failure, wait);
      throw new OperationFailedError(
        `${action} of ${to} failed (${describeError(failure)}); live never moved (still version ${p.runtimeVersion ?? '-'}); restored ${restoreTo} on pointer and runtime`,
        'ROLLED_BACK',
        { failed: to, restored: restoreTo, liveMoved: false, liveVersion: p.runtimeVersion },
      );
    }
    return result(p, 'published', state);
  } finally {
    if (lock) await releaseLock(ctx, lock);
  }
}

/** Runs the restore plan; if that fails too, says exactly what may disagree and how to repair it. */
async function restore(
  ctx: RuntimeContext,
  p: RuntimePlan,
  failedState: ApplyState,
  restoreTo: string,
  cause: unknown,
  wait: ApplyContext['wait'],
): Promise<void> {
  ctx.log(`restoring ${restoreTo.slice(0, 19)}… after: ${describeError(cause)}`);
  const pointerNow = failedState.pointerWritten ? p.to : p.pointerDigest;
  const steps = planRestore({
    restoreTo,
    pointerWritten: pointerNow !== restoreTo,
    runtimeUpdated: failedState.runtimeUpdated,
    canaryMoved: failedState.canaryMoved,
    liveVersion: p.runtimeVersion,
  });
  const run: ApplyContext = {
    action: 'restore',
    from: { digest: p.to, pointerVersion: failedState.pointerVersion ?? p.pointerVersion, liveVersion: p.runtimeVersion },
    to: restoreTo,
    wait,
    audit: { reason: `automatic restore: ${describeError(cause)}` },
  };
  try {
    await applySteps(ctx, steps, run);
  } catch (e) {
    await recordAudit(ctx, {
      action: 'restore',
      from_digest: p.to,
      to_digest: restoreTo,
      reason: describeError(cause),
      outcome: 'failed',
      live_moved: false,
      error: describeError(e),
    }).catch(() => undefined);
    throw new OperationFailedError(
      `${describeError(cause)}; then restoring ${restoreTo} failed too (${describeError(e)}). live never moved; pointer and the latest runtime version may disagree: ` +
        `run "tsx scripts/runtime-status.ts --env ${ctx.env}", then "tsx scripts/publish-runtime.ts --env ${ctx.env} --image-digest ${restoreTo}"`,
      'RESTORE_FAILED',
    );
  }
}
