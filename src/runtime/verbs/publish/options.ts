/** The options of `publish`: its flags, written once for scripts/publish-runtime.ts and `bgagent runtime publish`. */
import { ValidationError } from '../../../errors';
import { APPLY_FLAGS, applyOptionsFromFlags, type ApplyFlagValues, type ApplyOptions, type FlagDef } from '../../options';

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
