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

export async function publishRuntime(ctx: RuntimeContext, opts: PublishOptions): Promise<RuntimeOperationResult & { bake?: BakeResult; drain?: DrainResult }> {
  const digest = await resolveImage(ctx, opts);
  // Read (and validated) before anything is written: a bad policy refuses the publish up front.
  const policy = opts.canaryCheck || opts.bake ? await readReleasePolicy(ctx.clients.ssm, ctx.env) : undefined;
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
