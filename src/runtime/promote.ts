/**
 * `runtime promote --from <env> --to <env> [--digest D]`: build once, promote the digest. Refused
 * before any write unless the target's promotion policy accepts the source and the digest
 * succeeded in the source (its newest publish there audited `succeeded`, smoke passed). Then the
 * image is copied into the target's repository with the same digest, and the rest is an ordinary
 * publish in the target (lock, canary, smoke, live, audit) that records `promoted_from`.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors';
import { policyRefusal, readPromotionPolicy, type PromotionPolicy } from '../platform/promotion-policy';
import { isImageDigest } from '../platform/runtime-spec';
import { listAudit, runtimeStream, type RuntimeAuditEvent } from './audit';
import type { RuntimeContext } from './context';
import { endpointNames, getEndpoint, versionDigest } from './endpoints';
import { copyImage, hasImage, promotedTag, type CopyResult, type RepositoryRef } from './ecr-copy';
import type { PromotedFrom } from './promoted-from';
import { publishRuntime, type ApplyOptions, type RuntimeOperationResult } from './publish';

export interface PromoteOptions extends Omit<ApplyOptions, 'promotedFrom'> {
  /** Default: the digest `live` serves in the source environment. */
  digest?: string;
}

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
  /** The target's publish (absent in a dry run whose image is not in the target yet). */
  publish?: RuntimeOperationResult;
  /** What a dry run would do, in order. */
  steps: string[];
}

const TERMINAL = new Set(['succeeded', 'rolled_back', 'failed']);

/**
 * Pure: may `digest` leave `env`? Its newest publish there decides (a refused attempt never ran
 * and does not count): it must have succeeded and, under `require_smoke`, passed its smoke check.
 */
export function promotionEligibility(
  env: string,
  events: readonly RuntimeAuditEvent[],
  digest: string,
  policy: Pick<PromotionPolicy, 'require_smoke'>,
): { ok: true; event: RuntimeAuditEvent } | { ok: false; reason: string } {
  const newest = [...events]
    .filter((e) => e.action === 'publish' && e.to_digest === digest && TERMINAL.has(e.outcome))
    .sort((a, b) => (a.event_id < b.event_id ? 1 : -1))[0];
  if (!newest) return { ok: false, reason: `${digest} was never published in "${env}" (no publish of it in its audit)` };
  const at = `its last publish in "${env}" (event ${newest.event_id})`;
  if (newest.outcome !== 'succeeded') return { ok: false, reason: `${at} ended ${newest.outcome}${newest.error ? `: ${newest.error}` : ''}` };
  if (policy.require_smoke && newest.smoke !== 'passed') {
    return { ok: false, reason: `${at} ran no smoke check (smoke: ${newest.smoke ?? 'not recorded'}); the promotion policy requires one that passed` };
  }
  return { ok: true, event: newest };
}

/**
 * The digest `live` serves in an environment: its endpoint's live version, that version's image.
 * Reads only the runtime and the endpoint (not the pointer): all the source grant allows.
 */
export async function servedDigest(ctx: RuntimeContext): Promise<string | undefined> {
  const live = await getEndpoint(ctx, endpointNames(ctx).live);
  return live.liveVersion ? (await versionDigest(ctx, live.liveVersion))?.digest : undefined;
}

const repoOf = (ctx: RuntimeContext): RepositoryRef => ({ ecr: ctx.clients.ecr, repositoryName: ctx.platform.ecrRepositoryName });

/** Everything that is checked before anything is written. */
export async function checkPromotion(
  source: RuntimeContext,
  target: RuntimeContext,
  digestFlag?: string,
): Promise<{ digest: string; promotedFrom: PromotedFrom; event: RuntimeAuditEvent }> {
  if (digestFlag !== undefined && !isImageDigest(digestFlag))
    throw new ValidationError(`"${digestFlag}" is not an image digest (sha256:<64 lowercase hex>)`, 'INVALID_DIGEST');
  const policy = await readPromotionPolicy(target.clients.ssm, target.env);
  const refusal = policyRefusal(policy, source.env, target.env);
  if (refusal)
    throw new ValidationError(`promotion refused: ${refusal}`, 'PROMOTION_NOT_ALLOWED', { from: source.env, to: target.env, accept_from: policy.accept_from });
  const digest = digestFlag ?? (await servedDigest(source));
  if (!digest) throw new ValidationError(`"${source.env}" serves no digest-pinned image; give --digest`, 'NO_SOURCE_DIGEST');
  const eligible = promotionEligibility(source.env, await listAudit(source), digest, policy);
  if (!eligible.ok) throw new ValidationError(`promotion refused: ${eligible.reason}`, 'DIGEST_NOT_PROMOTABLE', { from: source.env, digest });
  return {
    digest,
    event: eligible.event,
    promotedFrom: { env: source.env, pointer_version: eligible.event.pointer_version, event_id: eligible.event.event_id },
  };
}

export async function promoteRuntime(source: RuntimeContext, target: RuntimeContext, opts: PromoteOptions = {}): Promise<PromoteResult> {
  const { digest, promotedFrom } = await checkPromotion(source, target, opts.digest);
  const base = { ok: true as const, action: 'promote' as const, from: source.env, to: target.env, digest, promotedFrom };
  const copyStep = `copy ${digest} from ECR ${source.platform.ecrRepositoryName} into ${target.platform.ecrRepositoryName} (same digest, tag ${promotedTag(source.env, digest)}; missing blobs only)`;
  const publishOpts = { ...opts, imageDigest: digest, imageTag: undefined, promotedFrom, reason: opts.reason ?? `promote from ${source.env}` };

  if (opts.dryRun) {
    const present = await hasImage(repoOf(target), digest);
    if (!present) {
      return {
        ...base,
        outcome: 'dry_run',
        copy: { needed: true },
        steps: [copyStep, `publish ${digest} in "${target.env}" (lock, pointer, runtime update, smoke, live, audit with promoted_from)`],
      };
    }
    const publish = await publishRuntime(target, publishOpts);
    return { ...base, outcome: 'dry_run', copy: { needed: false }, publish, steps: publish.plan.writes };
  }

  source.log(`copying ${digest.slice(0, 19)}… ${source.env} → ${target.env}`);
  const copy = await copyImage(repoOf(source), repoOf(target), digest, { tag: promotedTag(source.env, digest), log: source.log });
  const publish = await publishRuntime(target, publishOpts);
  return {
    ...base,
    outcome: publish.outcome,
    copy: { needed: copy.copied, ...copy },
    publish,
    steps: [...(copy.copied ? [copyStep] : []), ...publish.plan.writes],
  };
}

/** One audit event by its key (a link of a promotion chain). */
export async function getAuditEvent(ctx: RuntimeContext, eventId: string): Promise<RuntimeAuditEvent | undefined> {
  const out = await ctx.clients.doc.send(new GetCommand({ TableName: ctx.platform.tables.audit, Key: { stream: runtimeStream(ctx.env), event_id: eventId } }));
  return out.Item as RuntimeAuditEvent | undefined;
}
