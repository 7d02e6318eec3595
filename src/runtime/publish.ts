/**
 * Moving the runtime to a digest: plan (pure, read-only), then apply under the deploy lock:
 * pointer → UpdateAgentRuntime → READY → smoke. Any failure after the pointer write restores the
 * previous digest on pointer and runtime and exits non-zero.
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { NotFoundError, OperationFailedError, ValidationError, describeError } from '../errors';
import { containerUri, isImageDigest } from '../platform/runtime-spec';
import { getRuntime, newClientToken, liveDigest, updateRuntime, waitReady, type LiveRuntime } from './agent-runtime';
import { lastKnownGood, listAudit, recordAudit } from './audit';
import type { RuntimeContext } from './context';
import { resolveImage } from './image';
import { acquireLock, releaseLock } from './lock';
import { moveLabels, pointerDescription, readPointer, writePointer } from './pointer';
import { formatPromotedFrom, type PromotedFrom } from './promoted-from';
import { runSmoke } from './smoke';

export interface ApplyOptions {
  smokeCmd?: string;
  reason?: string;
  dryRun?: boolean;
  gitCommit?: string;
  ciRunUrl?: string;
  timeoutMs?: number;
  pollIntervalMs?: number;
  lockTtlMs?: number;
  /** Set by `runtime promote`: recorded in every audit event and the pointer description. */
  promotedFrom?: PromotedFrom;
}

export interface PublishOptions extends ApplyOptions {
  imageDigest?: string;
  imageTag?: string;
}

export interface RollbackOptions extends ApplyOptions {
  toVersion?: number;
  toLabel?: string;
  toDigest?: string;
}

export interface RuntimePlan {
  env: string;
  action: 'publish' | 'rollback';
  runtimeId: string;
  runtimeVersion?: string;
  runtimeStatus?: string;
  pointerDigest: string;
  pointerVersion: number;
  liveDigest?: string;
  to: string;
  noop: boolean;
  /** What apply would write, in order. */
  writes: string[];
}

export interface RuntimeOperationResult {
  ok: boolean;
  action: 'publish' | 'rollback';
  outcome: 'published' | 'noop' | 'dry_run';
  env: string;
  from: string;
  to: string;
  runtimeArn: string;
  runtimeVersion?: string;
  pointerVersion?: number;
  plan: RuntimePlan;
}

/** Pure: what moving from the observed state to `to` involves. */
export function planMove(input: { env: string; action: 'publish' | 'rollback'; runtimeId: string; pointer: { digest: string; version: number }; live: LiveRuntime; to: string; imageUri: string }): RuntimePlan {
  const live = liveDigest(input.live);
  const noop = input.pointer.digest === input.to && live === input.to && input.live.status === 'READY';
  return {
    env: input.env,
    action: input.action,
    runtimeId: input.runtimeId,
    runtimeVersion: input.live.agentRuntimeVersion,
    runtimeStatus: input.live.status,
    pointerDigest: input.pointer.digest,
    pointerVersion: input.pointer.version,
    liveDigest: live,
    to: input.to,
    noop,
    writes: noop
      ? []
      : [
          ...(input.pointer.digest === input.to ? [] : [`SSM ${input.pointer.digest} → ${input.to} (new version of the pointer)`]),
          ...(live === input.to && input.live.status === 'READY' ? [] : [`UpdateAgentRuntime ${input.runtimeId}: containerUri → ${input.imageUri}`]),
          'labels live/previous, audit event',
        ],
  };
}

async function observe(ctx: RuntimeContext, action: 'publish' | 'rollback', to: string): Promise<{ plan: RuntimePlan; pointer: { digest: string; version: number }; live: LiveRuntime }> {
  const [pointer, live] = await Promise.all([readPointer(ctx.clients.ssm, ctx.platform.imagePointerParameter), getRuntime(ctx)]);
  const plan = planMove({ env: ctx.env, action, runtimeId: ctx.platform.agentRuntimeId, pointer, live, to, imageUri: containerUri(ctx.platform.ecrRepositoryUrl, to) });
  return { plan, pointer, live };
}

export async function publishRuntime(ctx: RuntimeContext, opts: PublishOptions): Promise<RuntimeOperationResult> {
  const digest = await resolveImage(ctx, opts);
  return moveTo(ctx, 'publish', digest, opts);
}

export async function rollbackRuntime(ctx: RuntimeContext, opts: RollbackOptions): Promise<RuntimeOperationResult> {
  const given = [opts.toVersion, opts.toLabel, opts.toDigest].filter((v) => v !== undefined).length;
  if (given > 1) throw new ValidationError('give at most one of --to-version, --to-label, --to-digest', 'USAGE');
  const name = ctx.platform.imagePointerParameter;
  let target: string | undefined;
  if (opts.toDigest !== undefined) {
    target = opts.toDigest;
  } else if (opts.toVersion !== undefined || opts.toLabel !== undefined) {
    const selector = opts.toVersion !== undefined ? String(opts.toVersion) : opts.toLabel!;
    try {
      target = (await ctx.clients.ssm.send(new GetParameterCommand({ Name: `${name}:${selector}` }))).Parameter?.Value;
    } catch (e) {
      const n = (e as { name?: string }).name;
      if (n === 'ParameterVersionNotFound' || n === 'ParameterNotFound' || n === 'ValidationException') {
        throw new NotFoundError(`pointer ${name} has no version or label "${selector}" (SSM keeps the last 100 versions; see runtime history)`, 'VERSION_NOT_FOUND');
      }
      throw e;
    }
  } else {
    const current = (await readPointer(ctx.clients.ssm, name)).digest;
    target = lastKnownGood(await listAudit(ctx), current);
    if (!target) throw new NotFoundError(`no earlier known-good digest for "${ctx.env}" in the audit history; use --to-digest`, 'NO_ROLLBACK_TARGET');
  }
  if (!target || !isImageDigest(target)) throw new ValidationError(`rollback target "${target}" is not an image digest`, 'INVALID_DIGEST');
  const digest = await resolveImage(ctx, { imageDigest: target });
  return moveTo(ctx, 'rollback', digest, opts);
}

async function moveTo(ctx: RuntimeContext, action: 'publish' | 'rollback', to: string, opts: ApplyOptions): Promise<RuntimeOperationResult> {
  const result = (plan: RuntimePlan, outcome: RuntimeOperationResult['outcome'], extra: Partial<RuntimeOperationResult> = {}): RuntimeOperationResult => ({
    ok: true,
    action,
    outcome,
    env: ctx.env,
    from: plan.pointerDigest,
    to,
    runtimeArn: ctx.platform.agentRuntimeArn,
    runtimeVersion: plan.runtimeVersion,
    plan,
    ...extra,
  });
  const first = await observe(ctx, action, to);
  if (opts.dryRun) return result(first.plan, 'dry_run');
  if (first.plan.noop) return result(first.plan, 'noop');

  let lock;
  try {
    lock = await acquireLock(ctx, `${action} ${to.slice(0, 19)}`, opts.lockTtlMs);
  } catch (refused) {
    // A refused attempt is part of the deploy history too (who tried what, and why it did not run).
    await recordAudit(ctx, {
      action,
      from_digest: first.plan.pointerDigest,
      to_digest: to,
      git_commit: opts.gitCommit,
      ci_run_url: opts.ciRunUrl,
      reason: opts.reason,
      promoted_from: opts.promotedFrom,
      outcome: 'refused',
      error: describeError(refused),
    }).catch(() => undefined);
    throw refused;
  }
  try {
    // Observe again under the lock: another run may have moved things while we waited.
    const { plan, pointer, live } = await observe(ctx, action, to);
    if (plan.noop) return result(plan, 'noop');
    // Restore to what the runtime actually served if pointer and runtime had drifted apart.
    const restoreTo = liveDigest(live) ?? pointer.digest;
    const common = { git_commit: opts.gitCommit, ci_run_url: opts.ciRunUrl, reason: opts.reason, promoted_from: opts.promotedFrom };
    const description = pointerDescription({ by: ctx.actor, action, from: pointer.digest, commit: opts.gitCommit, run: opts.ciRunUrl, reason: opts.reason, promoted_from: opts.promotedFrom && formatPromotedFrom(opts.promotedFrom) });
    ctx.log(`pointer ${pointer.digest.slice(0, 19)}… → ${to.slice(0, 19)}…`);
    const newVersion = pointer.digest === to ? pointer.version : await writePointer(ctx.clients.ssm, ctx.platform.imagePointerParameter, to, description);
    let runtimeVersion: string | undefined;
    try {
      runtimeVersion = await applyToRuntime(ctx, live, to, `${lock.token}:${action}`, opts);
      if (opts.smokeCmd) {
        ctx.log(`smoke: ${opts.smokeCmd}`);
        const smoke = await runSmoke(opts.smokeCmd, { RUNTIME_ARN: ctx.platform.agentRuntimeArn, RUNTIME_VERSION: runtimeVersion ?? '', IMAGE_DIGEST: to });
        if (!smoke.ok) throw new OperationFailedError(`smoke command exited ${smoke.code ?? 'abnormally'}`, 'SMOKE_FAILED');
      }
    } catch (failure) {
      await recordAudit(ctx, { action, from_digest: pointer.digest, to_digest: to, pointer_version: newVersion, runtime_version: runtimeVersion, ...common, outcome: 'rolled_back', error: describeError(failure) });
      await restore(ctx, restoreTo, to, failure, opts);
      throw new OperationFailedError(`${action} of ${to} failed (${describeError(failure)}); restored ${restoreTo} on pointer and runtime`, 'ROLLED_BACK', { failed: to, restored: restoreTo });
    }
    await moveLabels(ctx.clients.ssm, ctx.platform.imagePointerParameter, newVersion, pointer.version);
    await recordAudit(ctx, { action, from_digest: pointer.digest, to_digest: to, pointer_version: newVersion, runtime_version: runtimeVersion, ...common, smoke: opts.smokeCmd ? 'passed' : 'skipped', outcome: 'succeeded' });
    return result(plan, 'published', { runtimeVersion, pointerVersion: newVersion });
  } finally {
    await releaseLock(ctx, lock);
  }
}

async function applyToRuntime(ctx: RuntimeContext, live: LiveRuntime, digest: string, operationId: string, opts: ApplyOptions): Promise<string | undefined> {
  if (liveDigest(live) === digest && live.status === 'READY') return live.agentRuntimeVersion;
  void operationId;
  const version = await updateRuntime(ctx, live, containerUri(ctx.platform.ecrRepositoryUrl, digest), newClientToken());
  ctx.log(`runtime updating to version ${version}; waiting for READY`);
  const ready = await waitReady(ctx, {
    timeoutMs: opts.timeoutMs ?? 15 * 60 * 1000,
    pollIntervalMs: opts.pollIntervalMs ?? 5000,
    version,
    onPoll: (status, elapsed) => ctx.log(`runtime ${status} (${Math.round(elapsed / 1000)} s)`, { transient: true }),
  });
  return ready.agentRuntimeVersion;
}

/** Puts pointer and runtime back on `digest`; if that fails too, says exactly what drifted. */
async function restore(ctx: RuntimeContext, digest: string, failed: string, cause: unknown, opts: ApplyOptions): Promise<void> {
  ctx.log(`restoring ${digest.slice(0, 19)}… after: ${describeError(cause)}`);
  try {
    const version = await writePointer(ctx.clients.ssm, ctx.platform.imagePointerParameter, digest, pointerDescription({ by: ctx.actor, action: 'restore', from: failed, reason: `automatic restore: ${describeError(cause)}` }));
    // Let an in-flight update settle first: AWS refuses an update while one is running.
    let live = await getRuntime(ctx);
    if (live.status === 'UPDATING' || live.status === 'CREATING') {
      live = await waitReady(ctx, { timeoutMs: opts.timeoutMs ?? 15 * 60 * 1000, pollIntervalMs: opts.pollIntervalMs ?? 5000 }).catch(() => getRuntime(ctx));
    }
    const runtimeVersion = await applyToRuntime(ctx, live, digest, `restore:${failed}`, opts);
    await moveLabels(ctx.clients.ssm, ctx.platform.imagePointerParameter, version);
    await recordAudit(ctx, { action: 'restore', from_digest: failed, to_digest: digest, pointer_version: version, runtime_version: runtimeVersion, reason: describeError(cause), outcome: 'succeeded' });
  } catch (e) {
    await recordAudit(ctx, { action: 'restore', from_digest: failed, to_digest: digest, reason: describeError(cause), outcome: 'failed', error: describeError(e) }).catch(() => undefined);
    throw new OperationFailedError(
      `${describeError(cause)}; then restoring ${digest} failed too (${describeError(e)}). Pointer and runtime may disagree: ` +
        `run "tsx scripts/runtime-status.ts --env ${ctx.env}", then "tsx scripts/publish-runtime.ts --env ${ctx.env} --image-digest ${digest}"`,
      'RESTORE_FAILED',
    );
  }
}
