/**
 * Egress allowlist as a Route 53 Resolver DNS Firewall on the VPC:
 *   1. ALLOW the baseline list: owned by Terraform (platform defaults + every Blueprint's allowlist);
 *   2. ALLOW the onboarded list: maintained by the API/provisioner (`ignore_changes` on its domains,
 *      so an infra deploy never wipes what the API added);
 *   3. BLOCK everything else (NODATA).
 */
import { Construct } from 'constructs';
import { Lazy } from 'cdktf';
import { Route53ResolverFirewallDomainList } from '@cdktf/provider-aws/lib/route53-resolver-firewall-domain-list';
import { Route53ResolverFirewallRule } from '@cdktf/provider-aws/lib/route53-resolver-firewall-rule';
import { Route53ResolverFirewallRuleGroup } from '@cdktf/provider-aws/lib/route53-resolver-firewall-rule-group';
import { Route53ResolverFirewallRuleGroupAssociation } from '@cdktf/provider-aws/lib/route53-resolver-firewall-rule-group-association';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import type { PlatformNames } from '../../src/platform/names';
import { DomainSchema } from '../../src/repos/repo-config';
import { ecrLayerBucket } from './network';

/**
 * What every agent needs whatever the repository, by exact name (no wildcard over anyone else's
 * names): the AWS endpoints the platform uses in its region (the VPC endpoints' private DNS names
 * are resolved through the firewall too), GitHub, and the npm and PyPI registries. No
 * `*.amazonaws.com`: that would resolve any bucket, any execute-api, any function URL.
 */
export function baselineEgressDomains(region: string, accountId: string): string[] {
  const aws = (service: string) => `${service}.${region}.amazonaws.com`;
  return [
    // Image pulls: the registry API, this account's registry, and ECR's layer bucket.
    aws('api.ecr'),
    `${accountId}.dkr.ecr.${region}.amazonaws.com`,
    `${ecrLayerBucket(region)}.s3.${region}.amazonaws.com`,
    aws('logs'),
    aws('secretsmanager'),
    aws('sts'),
    'sts.amazonaws.com',
    aws('bedrock-runtime'),
    aws('bedrock-agentcore'),
    aws('dynamodb'),
    aws('xray'),
    aws('monitoring'),
    'github.com',
    'api.github.com',
    'codeload.github.com',
    'uploads.github.com',
    'objects.githubusercontent.com',
    'raw.githubusercontent.com',
    'release-assets.githubusercontent.com',
    'registry.npmjs.org',
    'pypi.org',
    'files.pythonhosted.org',
    // Tool installs upstream ABCA's agent makes at run time (its Dockerfile: mise, `corepack enable`):
    // mise's node builds (MISE_NODE_MIRROR_URL default https://nodejs.org/dist/) and its version
    // lists, and Yarn Berry, which Corepack fetches from repo.yarnpkg.com (pnpm and Yarn 1 come from npm).
    'nodejs.org',
    'mise-versions.jdx.dev',
    'repo.yarnpkg.com',
  ];
}

export const FIREWALL_PRIORITIES = { baseline: 100, onboarded: 200, blockAll: 300, association: 101 } as const;

export interface DnsFirewallProps {
  names: PlatformNames;
  vpcId: string;
}

export class DnsFirewall extends Construct {
  readonly baselineList: Route53ResolverFirewallDomainList;
  readonly onboardedList: Route53ResolverFirewallDomainList;
  private readonly baseline: Set<string>;

  constructor(scope: Construct, id: string, props: DnsFirewallProps) {
    super(scope, id);
    const { names } = props;
    const region = new DataAwsRegion(this, 'region').region;
    const accountId = new DataAwsCallerIdentity(this, 'caller').accountId;
    this.baseline = new Set(baselineEgressDomains(region, accountId));
    // Lazy: Blueprints declared after this construct still add their domains before synthesis.
    this.baselineList = new Route53ResolverFirewallDomainList(this, 'baseline', {
      name: names.dnsFirewall.baselineList,
      domains: Lazy.listValue({ produce: () => this.baselineDomains() }),
    });
    this.onboardedList = new Route53ResolverFirewallDomainList(this, 'onboarded', {
      name: names.dnsFirewall.onboardedList,
      domains: [],
      lifecycle: { ignoreChanges: ['domains'] },
    });
    const blockAll = new Route53ResolverFirewallDomainList(this, 'block-all', { name: names.dnsFirewall.blockAllList, domains: ['*'] });

    const group = new Route53ResolverFirewallRuleGroup(this, 'rule-group', { name: names.dnsFirewall.ruleGroup });
    const rule = (ruleId: string, list: Route53ResolverFirewallDomainList, priority: number, action: 'ALLOW' | 'BLOCK') =>
      new Route53ResolverFirewallRule(this, `rule-${ruleId}`, {
        name: `${names.dnsFirewall.ruleGroup}-${ruleId}`,
        firewallRuleGroupId: group.id,
        firewallDomainListId: list.id,
        priority,
        action,
        ...(action === 'BLOCK' ? { blockResponse: 'NODATA' } : {}),
      });
    rule('baseline', this.baselineList, FIREWALL_PRIORITIES.baseline, 'ALLOW');
    rule('onboarded', this.onboardedList, FIREWALL_PRIORITIES.onboarded, 'ALLOW');
    rule('block-all', blockAll, FIREWALL_PRIORITIES.blockAll, 'BLOCK');

    new Route53ResolverFirewallRuleGroupAssociation(this, 'association', {
      name: names.dnsFirewall.ruleGroup,
      firewallRuleGroupId: group.id,
      vpcId: props.vpcId,
      priority: FIREWALL_PRIORITIES.association,
      mutationProtection: 'DISABLED',
    });
  }

  /** Adds domains (validated like RepoConfig.egress_allowlist) to the Terraform-owned baseline list. */
  allow(domains: readonly string[]): void {
    for (const d of domains) this.baseline.add(DomainSchema.parse(d));
  }

  /** Sorted, so the list (and the plan) does not change with declaration order. */
  baselineDomains(): string[] {
    return [...this.baseline].sort();
  }
}
