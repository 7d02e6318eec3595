/**
 * publish: pointer → UpdateAgentRuntime → the new version READY → canary on it, smoke through
 * canary → live on it → labels and audit (docs/deployment.md, "Publishing: canary, live and
 * rollback"). The steps are a plan (../../plan.ts) the applier runs exactly; a failure before live
 * moves restores and live never moved.
 */
import { readReleasePolicy, type ReleasePolicy } from '../../../platform/release-policy';
import { watchBake, type BakeResult } from '../../bake';
import { drainVersion, type DrainResult } from '../../drain';
import { DEFAULT_POLL_INTERVAL_MS } from '../../options';
import { describeError, isAbcaError } from '../../../errors';
import { notifyRelease, type Delivery } from '../../notify';
import { runCanaryCheck, type GoldenTaskSpec } from '../../canary-check';
import type { RuntimeContext } from '../../context';
import { resolveImage } from '../../image';
import { moveTo, type RuntimeOperationResult } from '../../move';
import type { PublishOptions } from './options';

export * from './options';

/** Pure: the canary check the release policy asks for (undefined: it turned the check off). */
export function canaryFromPolicy(policy: ReleasePolicy): { golden?: GoldenTaskSpec } | undefined {
  if (!policy.canary_check.enabled) return undefined;
  return policy.golden_task ? { golden: { ...policy.golden_task, limits: policy.limits } } : {};
}

type PublishResult = RuntimeOperationResult & { bake?: BakeResult; drain?: DrainResult; notifications?: Delivery[] };

export async function publishRuntime(ctx: RuntimeContext, opts: PublishOptions): Promise<PublishResult> {
  const digest = await resolveImage(ctx, opts);
  const policy = opts.canaryCheck || opts.bake || opts.notify ? await readReleasePolicy(ctx.clients.ssm, ctx.env) : undefined;
  if (!opts.notify || !policy) return publishChecked(ctx, opts, digest, policy);
  let result: PublishResult;
  try {
    result = await publishChecked(ctx, opts, digest, policy);
  } catch (e) {
    // Announced, then rethrown: a notification never changes the release's outcome.
    const breach = isAbcaError(e) && e.code === 'BAKE_BREACH';
    await notifyRelease(ctx, policy, { kind: breach ? 'bake_breach' : 'publish', env: ctx.env, ok: false, digest, summary: describeError(e) });
    throw e;
  }
  if (result.outcome !== 'published') return result;
  const summary = `live on version ${result.runtimeVersion ?? '-'} (${result.path} path)${result.bake ? `; bake ${result.bake.verdict}` : ''}`;
  const notifications = await notifyRelease(ctx, policy, {
    kind: 'publish',
    env: ctx.env,
    ok: true,
    digest,
    ...(result.runtimeVersion ? { version: result.runtimeVersion } : {}),
    summary,
  });
  return { ...result, notifications };
}

async function publishChecked(ctx: RuntimeContext, opts: PublishOptions, digest: string, policy: ReleasePolicy | undefined): Promise<PublishResult> {
  // The policy was read (and validated) before anything is written: a bad one refuses the publish up front.
  const canary = opts.canaryCheck && policy ? canaryFromPolicy(policy) : undefined;
  if (opts.canaryCheck && !canary) ctx.log('canary check: off (release policy canary_check.enabled = false)');
  // Before live moves: tasks are told apart by the version they started on, so an early start is harmless.
  const since = new Date().toISOString();
  const moved = await moveTo(ctx, 'publish', digest, opts, canary ? { canary: { ...canary, run: runCanaryCheck } } : {});
  const outgoing = moved.plan.runtimeVersion;
  const drain =
    opts.drain && moved.outcome === 'published' && outgoing && outgoing !== moved.runtimeVersion
      ? await drainVersion(ctx, outgoing, { timeoutMs: opts.drainTimeoutMs, pollIntervalMs: opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS })
      : undefined;
  const result = drain ? { ...moved, drain } : moved;
  if (!opts.bake || !policy || result.outcome !== 'published' || !result.runtimeVersion || result.runtimeVersion === result.plan.runtimeVersion) return result;
  const bake = await watchBake(
    ctx,
    {
      version: result.runtimeVersion,
      digest,
      previousDigest: result.plan.liveDigest ?? result.from,
      ...(result.plan.runtimeVersion ? { previousVersion: result.plan.runtimeVersion } : {}),
      since,
    },
    policy.bake,
    opts,
  );
  return { ...result, bake };
}
