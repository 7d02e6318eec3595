/**
 * The policy parameters an operator edits without a deploy, declared once: their SSM name, the
 * schema their readers parse them with, and what they are for. `bgagent <key> show|set|edit` is
 * made from each entry; another policy (e.g. `/abca/<env>/release-policy`) is one more entry.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { GuardrailsSchema } from '../platform/guardrails';
import { platformNames } from '../platform/names';
import { PromotionPolicySchema } from '../platform/promotion-policy';
import { ReleasePolicySchema } from '../platform/release-policy';

export interface PolicyParameter {
  /** The CLI command and the audit subject's short name. */
  key: string;
  /** The SSM String parameter holding the JSON document. */
  parameter: (env: string) => string;
  /** What the readers parse the value with: a value it refuses is refused before it is written. */
  schema: z.ZodType;
  description: string;
  example: string;
}

export const POLICY_PARAMETERS: readonly PolicyParameter[] = [
  {
    key: 'guardrails',
    parameter: (env) => platformNames(env).parameters.guardrails,
    schema: GuardrailsSchema,
    description: 'limits on onboarding read by the API: allowed_orgs, max_repos, allowed_models, egress',
    example: '{"allowed_orgs": ["acme"], "max_repos": 20, "allowed_models": ["us.anthropic.claude-sonnet-4-5-20250929-v1:0"]}',
  },
  {
    key: 'promotion-policy',
    parameter: (env) => platformNames(env).parameters.promotionPolicy,
    schema: PromotionPolicySchema,
    description: 'which environments may promote an image into this one: accept_from, require_smoke',
    example: '{"accept_from": ["staging"], "require_smoke": true}',
  },
  {
    key: 'release-policy',
    parameter: (env) => platformNames(env).parameters.releasePolicy,
    schema: ReleasePolicySchema,
    description: 'how publish judges a release: canary_check, golden_task, limits, bake, gate, notifications',
    example: '{"bake": {"window_minutes": 30, "min_tasks": 5}, "limits": {"max_turns": 40}}',
  },
];

export function policyParameter(key: string): PolicyParameter {
  const found = POLICY_PARAMETERS.find((p) => p.key === key);
  if (!found) throw new ValidationError(`no policy parameter "${key}" (known: ${POLICY_PARAMETERS.map((p) => p.key).join(', ')})`, 'VALIDATION_ERROR');
  return found;
}

/** Unknown members are refused on edits (a misspelt key would be dropped by the reader without a word). */
function strictOf(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodObject ? schema.strict() : schema;
}

/**
 * Pure: a document as the readers will see it, or POLICY_INVALID naming the field (`max_repos:
 * expected number, received string`). `source` names where the text came from.
 */
export function validatePolicy(policy: PolicyParameter, text: string, source: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`${source} is not JSON (${(e as Error).message}); nothing was written`, 'POLICY_INVALID');
  }
  const parsed = strictOf(policy.schema).safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(document)', message: i.message }));
    const first = problems[0]!;
    throw new ValidationError(
      `${source} is not a valid ${policy.key} document: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}; nothing was written`,
      'POLICY_INVALID',
      { field: first.field, problems },
    );
  }
  return json as Record<string, unknown>;
}
