/**
 * `/abca/<env>/promotion-policy`: written once with the default (stack setting `promoteFrom`, else
 * prod ← staging ← dev) and then left to operators, like the guardrails: Terraform ignores later
 * changes to its value. The same list decides which environments' repositories the publisher of
 * this environment may read (stacks/policies/publisher.ts, promotionStatements).
 */
import { Construct } from 'constructs';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { ValidationError } from '../../src/errors';
import type { PlatformNames } from '../../src/platform/names';
import { defaultPromotionPolicy, promotionPolicyParameter, PromotionPolicySchema, type PromotionPolicy } from '../../src/platform/promotion-policy';

/** `promoteFrom` context (comma-separated or a list), else ABCA_PROMOTE_FROM; undefined = the convention. */
export function readPromoteFrom(scope: Construct): string[] | undefined {
  const raw: unknown = scope.node.tryGetContext('promoteFrom') ?? process.env.ABCA_PROMOTE_FROM;
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') throw new ValidationError('context "promoteFrom" must be a comma-separated list of environments', 'INVALID_CONTEXT');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export class PromotionPolicyParameter extends Construct {
  readonly parameter: SsmParameter;
  readonly defaults: PromotionPolicy;

  constructor(scope: Construct, id: string, props: { names: PlatformNames; promoteFrom?: string[] }) {
    super(scope, id);
    const { names } = props;
    let defaults: PromotionPolicy;
    try {
      defaults = PromotionPolicySchema.parse(defaultPromotionPolicy(names.env, props.promoteFrom));
    } catch (e) {
      throw new ValidationError(`promoteFrom: ${(e as Error).message}`, 'INVALID_CONTEXT');
    }
    if (defaults.accept_from.includes(names.env)) throw new ValidationError(`promoteFrom: "${names.env}" cannot promote into itself`, 'INVALID_CONTEXT');
    this.defaults = defaults;
    this.parameter = new SsmParameter(this, 'promotion-policy', {
      name: promotionPolicyParameter(names.env),
      description: `ABCA ${names.env}: which environments may promote an image here (accept_from, require_smoke)`,
      type: 'String',
      tier: 'Standard',
      insecureValue: JSON.stringify(defaults),
      lifecycle: { ignoreChanges: ['insecure_value'] },
    });
  }
}
