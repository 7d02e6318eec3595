/**
 * `/abca/<env>/release-policy`: written once with the default and then left to operators, like the
 * guardrails: Terraform ignores later changes to its value, so tightening a release's checks needs
 * no deploy. The publisher reads it (stacks/policies/publisher.ts, ReadReleasePolicy).
 */
import { Construct } from 'constructs';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { PlatformNames } from '../../src/platform/names';
import { defaultReleasePolicy, releasePolicyParameter } from '../../src/platform/release-policy';

export class ReleasePolicyParameter extends Construct {
  readonly parameter: SsmParameter;

  constructor(scope: Construct, id: string, props: { names: PlatformNames }) {
    super(scope, id);
    const { names } = props;
    this.parameter = new SsmParameter(this, 'release-policy', {
      name: releasePolicyParameter(names.env),
      description: `ABCA ${names.env}: how a runtime release protects itself (canary check, golden task, limits, bake, gate, notifications)`,
      type: 'String',
      tier: 'Standard',
      insecureValue: JSON.stringify(defaultReleasePolicy()),
      lifecycle: { ignoreChanges: ['insecure_value'] },
    });
  }
}
