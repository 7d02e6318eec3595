/**
 * Discovery and guardrails parameters:
 *   - /abca/<env>/platform: the PlatformConfig document (src/platform/platform-config.ts); scripts,
 *     the CLI and CI find everything from the env name through it. Terraform owns it.
 *   - /abca/<env>/guardrails: DEFAULT_GUARDRAILS, written once; a workshop host may tighten it
 *     later without a deploy, so Terraform ignores changes to its value.
 */
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { DEFAULT_GUARDRAILS, GuardrailsSchema } from '../../src/platform/guardrails';
import type { PlatformNames } from '../../src/platform/names';
import { PlatformConfigSchema, type PlatformConfig } from '../../src/platform/platform-config';

export interface PlatformParametersProps {
  names: PlatformNames;
  /** Every key of PlatformConfig; values may be Terraform tokens. */
  document: PlatformConfig;
}

export class PlatformParameters extends Construct {
  readonly platform: SsmParameter;
  readonly guardrails: SsmParameter;
  /** The document as declared (tokens unresolved), checked against PlatformConfigSchema. */
  readonly document: PlatformConfig;

  constructor(scope: Construct, id: string, props: PlatformParametersProps) {
    super(scope, id);
    const { names } = props;
    // strict(): a key the schema does not know is a typo here, not a new contract.
    this.document = PlatformConfigSchema.strict().parse(props.document);
    this.platform = new SsmParameter(this, 'platform', {
      name: names.parameters.platform,
      description: `ABCA ${names.env}: where everything is (PlatformConfig JSON)`,
      type: 'String',
      tier: 'Standard',
      // jsonencode at apply time: the values are resource attributes Terraform only knows then.
      insecureValue: Fn.jsonencode(this.document),
    });
    this.guardrails = new SsmParameter(this, 'guardrails', {
      name: names.parameters.guardrails,
      description: `ABCA ${names.env}: onboarding guardrails (allowed_orgs, max_repos, allowed_models, egress)`,
      type: 'String',
      tier: 'Standard',
      insecureValue: JSON.stringify(GuardrailsSchema.parse(DEFAULT_GUARDRAILS)),
      lifecycle: { ignoreChanges: ['insecure_value'] },
    });
  }
}
