/**
 * What is checked before a promotion writes anything: the target's promotion policy accepts the
 * source, and the digest succeeded in the source (its newest publish there audited `succeeded`,
 * smoke passed).
 */
import { ValidationError } from '../../../errors';
import { policyRefusal, readPromotionPolicy, type PromotionPolicy } from '../../../platform/promotion-policy';
import { isImageDigest } from '../../../platform/runtime-spec';
import { listAudit, type RuntimeAuditEvent } from '../../audit';
import type { RuntimeContext } from '../../context';
import { servedDigest } from '../../endpoints';
import type { PromotedFrom } from '../../promoted-from';

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
 * The target's promotion policy accepts `sourceEnv`: checked before the source is even read, since
 * the target's publisher may read only the sources its stack lists (anything else is AccessDenied
 * on AWS, not this clear refusal).
 */
export async function assertPromotionAccepted(target: RuntimeContext, sourceEnv: string): Promise<PromotionPolicy> {
  const policy = await readPromotionPolicy(target.clients.ssm, target.env);
  const refusal = policyRefusal(policy, sourceEnv, target.env);
  if (refusal)
    throw new ValidationError(`promotion refused: ${refusal}`, 'PROMOTION_NOT_ALLOWED', { from: sourceEnv, to: target.env, accept_from: policy.accept_from });
  return policy;
}

/** Everything that is checked before anything is written. */
export async function checkPromotion(
  source: RuntimeContext,
  target: RuntimeContext,
  digestFlag?: string,
): Promise<{ digest: string; promotedFrom: PromotedFrom; event: RuntimeAuditEvent }> {
  if (digestFlag !== undefined && !isImageDigest(digestFlag))
    throw new ValidationError(`"${digestFlag}" is not an image digest (sha256:<64 lowercase hex>)`, 'INVALID_DIGEST');
  const policy = await assertPromotionAccepted(target, source.env);
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
