/**
 * publish: pointer → UpdateAgentRuntime → the new version READY → canary on it, smoke through
 * canary → live on it → labels and audit (DESIGN.md, publish-runtime). The steps are a plan
 * (plan.ts) the applier runs exactly; a failure before live moves restores and live never moved.
 */
import { ValidationError } from '../errors';
import { APPLY_FLAGS, applyOptionsFromFlags, type ApplyFlagValues, type FlagDef } from './flags';
import type { RuntimeContext } from './context';
import type { ApplyOptions, RuntimeOperationResult } from './move';

// Flags and options are light (bgagent loads them at start-up); the AWS side loads when run.
export { planMove, type RuntimePlan, type PlanStep } from './plan';
export type { ApplyOptions, RuntimeOperationResult } from './move';
export { rollbackRuntime, type RollbackOptions } from './rollback';

export interface PublishOptions extends ApplyOptions {
  imageDigest?: string;
  imageTag?: string;
}

export const PUBLISH_DESCRIPTION =
  'Publish an image with zero impact: SSM pointer, UpdateAgentRuntime, wait for that version, smoke it through the canary endpoint, then move live; restores on failure (live never moves)';

export const PUBLISH_FLAGS: readonly FlagDef[] = [
  { flags: '--image-digest <digest>', description: 'sha256:… digest (or <repo url>@sha256:…) in the platform ECR repository' },
  { flags: '--image-tag <tag>', description: 'tag in the platform ECR repository, resolved to its digest' },
  ...APPLY_FLAGS,
];

export const PUBLISH_EXAMPLES = [
  'tsx scripts/publish-runtime.ts --env dev --image-tag git-3f2a1c --smoke-cmd "tsx scripts/smoke-runtime.ts --env dev"',
  'bgagent runtime publish --env dev --image-digest sha256:… --reason "hotfix" --dry-run',
];

export type PublishFlagValues = ApplyFlagValues & { imageDigest?: string; imageTag?: string };

export function publishOptionsFromFlags(f: PublishFlagValues, env: NodeJS.ProcessEnv = process.env): PublishOptions {
  if (!f.imageDigest && !f.imageTag) throw new ValidationError('give --image-digest or --image-tag', 'VALIDATION_ERROR');
  return { imageDigest: f.imageDigest, imageTag: f.imageTag, ...applyOptionsFromFlags(f, env) };
}

export async function publishRuntime(ctx: RuntimeContext, opts: PublishOptions): Promise<RuntimeOperationResult> {
  const [{ resolveImage }, { moveTo }] = await Promise.all([import('./image'), import('./move')]);
  const digest = await resolveImage(ctx, opts);
  return moveTo(ctx, 'publish', digest, opts);
}
