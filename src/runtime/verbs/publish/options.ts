/** The options of `publish`: its flags, written once for scripts/publish-runtime.ts and `bgagent runtime publish`. */
import { ValidationError } from '../../../errors';
import { BAKE_FLAGS, bakeOptionsFromFlags, type BakeFlagValues } from '../bake/options';
import { positive, APPLY_FLAGS, applyOptionsFromFlags, type ApplyFlagValues, type ApplyOptions, type FlagDef } from '../../options';

export interface PublishOptions extends ApplyOptions {
  imageDigest?: string;
  imageTag?: string;
  /**
   * The platform's canary check (invocation accepted, version serves the digest, the release
   * policy's golden task) on `canary` before `live` moves. The flags default it on; a library
   * caller asks for it.
   */
  canaryCheck?: boolean;
  /** After `live` moved, watch it for the release policy's bake window (rolls back on a breach). */
  bake?: boolean;
  bakePollMs?: number;
  windowMs?: number;
  /** After `live` moved, wait until no task runs on the outgoing version (up to drainTimeoutMs). */
  drain?: boolean;
  drainTimeoutMs?: number;
  /** Announce the outcome (GitHub Deployment, the policy's webhook); the flags turn it on. */
  notify?: boolean;
}

export const PUBLISH_DESCRIPTION =
  "Publish an image with zero impact: SSM pointer, UpdateAgentRuntime, wait for that version, check it through the canary endpoint (the platform's canary check, then --smoke-cmd), then move live; restores on failure (live never moves)";

export const PUBLISH_FLAGS: readonly FlagDef[] = [
  { flags: '--image-digest <digest>', description: 'sha256:… digest (or <repo url>@sha256:…) in the platform ECR repository' },
  { flags: '--image-tag <tag>', description: 'tag in the platform ECR repository, resolved to its digest' },
  {
    flags: '--no-canary-check',
    description:
      "skip the platform's own canary check on canary (invocation accepted, version serves the digest, the release policy's golden task); on by default, --smoke-cmd adds to it",
  },
  {
    flags: '--bake',
    description:
      "after live moves, watch the new version for the release policy's bake window; a breach moves live back (fast path) and exits 1 (or run `bgagent runtime bake` later)",
  },
  ...BAKE_FLAGS,
  {
    flags: '--drain',
    description: 'after live moves, wait (progress printed) until no task runs on the outgoing version, so a rollback or its deletion stops none',
  },
  { flags: '--drain-timeout-ms <ms>', description: 'how long --drain waits at most (default 15 minutes); tasks left are listed' },
  ...APPLY_FLAGS,
];

export const PUBLISH_EXAMPLES = [
  'tsx scripts/publish-runtime.ts --env dev --image-tag git-3f2a1c --smoke-cmd "tsx scripts/smoke-runtime.ts --env dev"',
  'bgagent runtime publish --env dev --image-digest sha256:… --reason "hotfix" --dry-run',
];

export type PublishFlagValues = ApplyFlagValues &
  BakeFlagValues & { imageDigest?: string; imageTag?: string; canaryCheck?: boolean; bake?: boolean; drain?: boolean; drainTimeoutMs?: string };

export function publishOptionsFromFlags(f: PublishFlagValues, env: NodeJS.ProcessEnv = process.env): PublishOptions {
  if (!f.imageDigest && !f.imageTag) throw new ValidationError('give --image-digest or --image-tag', 'VALIDATION_ERROR');
  return {
    imageDigest: f.imageDigest,
    imageTag: f.imageTag,
    canaryCheck: f.canaryCheck !== false,
    notify: true,
    ...(f.bake ? { bake: true, ...bakeOptionsFromFlags(f) } : {}),
    ...(f.drain ? { drain: true, drainTimeoutMs: positive('--drain-timeout-ms', f.drainTimeoutMs) } : {}),
    ...applyOptionsFromFlags(f, env),
  };
}
