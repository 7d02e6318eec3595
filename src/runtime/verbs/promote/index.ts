/**
 * `runtime promote --from <env> --to <env> [--digest D]`: build once, promote the digest. Refused
 * before any write unless the checks pass (./check.ts). Then it is an ordinary publish in the
 * target (lock, canary, smoke, live, audit recording `promoted_from`) whose plan starts with a
 * `copy_image` step when the target's repository lacks the image: one plan, run by the one
 * applier, so `--dry-run` prints exactly what a real run does.
 */
import type { RuntimeContext } from '../../context';
import { promotedTag, type CopyResult } from '../../ecr-copy';
import { moveTo, type RuntimeOperationResult } from '../../move';
import type { PromotedFrom } from '../../promoted-from';
import { checkPromotion } from './check';
import type { PromoteOptions } from './options';
import { isRemoteSource, registryOf } from './source';

export * from './options';
export * from './check';
export * from './source';

export interface PromoteResult {
  ok: true;
  action: 'promote';
  outcome: RuntimeOperationResult['outcome'];
  from: string;
  to: string;
  digest: string;
  promotedFrom: PromotedFrom;
  /** Dry run: whether the copy is needed; otherwise what it did. */
  copy: { needed: boolean } & Partial<CopyResult>;
  /** The target's publish: its plan starts with the copy when one is needed. */
  publish: RuntimeOperationResult;
  /** The plan's steps in words, in order: what a dry run would do, or what ran. */
  steps: string[];
}

export async function promoteRuntime(source: RuntimeContext, target: RuntimeContext, opts: PromoteOptions = {}): Promise<PromoteResult> {
  const { digest, promotedFrom } = await checkPromotion(source, target, opts.digest);
  const publish = await moveTo(
    target,
    'publish',
    digest,
    { ...opts, promotedFrom, reason: opts.reason ?? `promote from ${source.env}` },
    {
      copyFrom: {
        env: source.env,
        repository: {
          ecr: source.clients.ecr,
          repositoryName: source.platform.ecrRepositoryName,
          // Another account's repository is named by its registry (account) as well as its name.
          registryId: opts.source?.registryId ?? (opts.source && isRemoteSource(opts.source) ? registryOf(source.platform.ecrRepositoryUrl) : undefined),
        },
        tag: promotedTag(source.env, digest),
      },
    },
  );
  const needed = publish.plan.steps.some((s) => s.kind === 'copy_image');
  const copy = publish.outcome === 'dry_run' ? { needed } : { needed, ...(publish.copied ?? { digest, copied: false, uploadedBlobs: [], bytes: 0 }) };
  return {
    ok: true,
    action: 'promote',
    outcome: publish.outcome,
    from: source.env,
    to: target.env,
    digest,
    promotedFrom,
    copy,
    publish,
    steps: publish.plan.writes,
  };
}
