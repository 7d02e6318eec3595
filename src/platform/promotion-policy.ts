/**
 * `/abca/<env>/promotion-policy`: which environments may promote an image into this one. Like the
 * guardrails, cdktf (and the local bootstrap) write the default once and ignore later changes to
 * the value, so an operator tightens or loosens it with `aws ssm put-parameter`, no deploy.
 *
 * The target publisher's IAM grant to read a source environment is decided at deploy time (stack
 * setting `promoteFrom`): the policy can narrow that list without a deploy; widening it to a new
 * source needs the grant too (docs/deployment.md, "Promoting across environments").
 */
import { z } from 'zod';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isAwsError } from '../aws/errors';
import { NotFoundError, ValidationError } from '../errors';
import { assertEnvName, platformNames } from './names';

export const PromotionPolicySchema = z
  .object({
    /** Environments whose images may be promoted here; empty = promotion into this env is off. */
    accept_from: z.array(z.string().min(1)).default([]),
    /** Only a digest whose source publish ran a smoke check that passed (default and recommended). */
    require_smoke: z.boolean().default(true),
  })
  .strict();
export type PromotionPolicy = z.infer<typeof PromotionPolicySchema>;

export function promotionPolicyParameter(env: string): string {
  return platformNames(env).parameters.promotionPolicy;
}

/**
 * The usual chain dev → staging → prod: prod accepts only from staging, staging only from dev;
 * any other environment accepts nothing until configured. `promoteFrom` (stack setting or
 * bootstrap option) replaces the convention.
 */
export function defaultPromotionPolicy(env: string, promoteFrom?: readonly string[]): PromotionPolicy {
  const conventional: Record<string, string[]> = { prod: ['staging'], staging: ['dev'] };
  const accept_from = [...(promoteFrom ?? conventional[env] ?? [])];
  for (const source of accept_from) assertEnvName(source);
  return { accept_from, require_smoke: true };
}

export function parsePromotionPolicy(raw: string, source: string): PromotionPolicy {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationError(`${source} is not valid JSON`, 'PROMOTION_POLICY_INVALID');
  }
  const parsed = PromotionPolicySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${source}: bad "${issue?.path.join('.')}": ${issue?.message}`, 'PROMOTION_POLICY_INVALID');
  }
  return parsed.data;
}

/** Pure: may `from` promote into `to` under `policy`? Undefined when yes, else why not. */
export function policyRefusal(policy: PromotionPolicy, from: string, to: string): string | undefined {
  if (from === to) return `cannot promote "${to}" into itself`;
  if (policy.accept_from.includes(from)) return undefined;
  const accepts = policy.accept_from.length ? `accepts only from ${policy.accept_from.join(', ')}` : 'accepts promotions from no environment';
  return `the promotion policy of "${to}" (${promotionPolicyParameter(to)}) ${accepts}, not from "${from}"`;
}

export async function readPromotionPolicy(ssm: SSMClient, env: string): Promise<PromotionPolicy> {
  const name = promotionPolicyParameter(env);
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return parsePromotionPolicy(out.Parameter?.Value ?? '', name);
  } catch (e) {
    if (isAwsError(e, 'ParameterNotFound')) {
      throw new NotFoundError(
        `environment "${env}" has no promotion policy ${name} (deploy infra, or run scripts/bootstrap-local.ts, to write the default)`,
        'NO_PROMOTION_POLICY',
      );
    }
    throw e;
  }
}
