/**
 * CI roles assumed through GitHub OIDC. Trust: tokens from token.actions.githubusercontent.com for
 * audience sts.amazonaws.com whose subject names this repository AND one GitHub environment:
 *   - infra plan      (`abca-<env>-ci-infra-plan`): environment `<env>-infra-plan` (read-only)
 *   - infra deployer  (`abca-<env>-ci-infra`):      environment `<env>-infra` (required reviewers)
 *   - runtime publisher (`abca-<env>-ci-publisher`): environment `<env>-runtime`
 * Also the permissions boundary that every other role of the stack carries.
 * The publisher can do exactly what publish/rollback need, on this environment's resources only.
 * Each role's policy is its own module in stacks/policies/ (infra-plan, infra-deployer, publisher, boundary).
 */
import { Construct, type IConstruct } from 'constructs';
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import { policy, trustPolicy } from '../lib/iam';
import { boundaryStatements } from '../policies/boundary';
import { infraDeployerStatements } from '../policies/infra-deployer';
import { infraPlanStatements } from '../policies/infra-plan';
import { promotionStatements, publisherStatements, type PublisherResources } from '../policies/publisher';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from '../policies/scope';

export interface CiRolesProps {
  names: PlatformNames;
  aws: AwsEnv;
  githubRepository: string;
  /** Reuse the account's GitHub OIDC provider (it exists once per account). */
  existingOidcProviderArn?: string;
  publisher: PublisherResources;
  stateBucket?: string;
  /** Environments whose images the publisher may promote here (read-only grant on them). */
  promotionSources?: PlatformNames[];
  /** Roles in other accounts the publisher may assume to read a promotion source there. */
  promotionSourceRoleArns?: string[];
}

export class CiRoles extends Construct {
  readonly oidcProviderArn: string;
  readonly infraDeployer: IamRole;
  readonly infraPlan: IamRole;
  readonly runtimePublisher: IamRole;
  readonly boundary: IamPolicy;

  constructor(scope: Construct, id: string, props: CiRolesProps) {
    super(scope, id);
    const { names, aws } = props;
    this.oidcProviderArn =
      props.existingOidcProviderArn ??
      new IamOpenidConnectProvider(this, 'github-oidc', { url: `https://${GITHUB_OIDC_HOST}`, clientIdList: [GITHUB_OIDC_AUDIENCE] }).arn;

    const trust = (environments: string[]) =>
      trustPolicy([
        {
          Effect: 'Allow',
          Principal: { Federated: this.oidcProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
              [`${GITHUB_OIDC_HOST}:sub`]: environments.map((e) => `repo:${props.githubRepository}:environment:${e}`),
            },
          },
        },
      ]);

    this.boundary = new IamPolicy(this, 'boundary', {
      name: names.permissionsBoundary,
      description: `Permissions boundary of every ABCA ${names.env} role but the CI roles`,
      policy: policy(boundaryStatements(names, aws)),
    });

    this.infraPlan = new IamRole(this, 'infra-plan', {
      name: names.roles.infraPlan,
      description: `cdktf diff infra for ${names.env}: read-only (GitHub Actions, before review)`,
      assumeRolePolicy: trust([names.githubEnvironments.infraPlan]),
    });
    new IamRolePolicy(this, 'infra-plan-policy', {
      name: 'plan-infra',
      role: this.infraPlan.name,
      policy: policy(infraPlanStatements(names, aws, props.stateBucket)),
    });

    this.infraDeployer = new IamRole(this, 'infra-deployer', {
      name: names.roles.infraDeployer,
      description: `cdktf deploy infra for ${names.env} (GitHub Actions, after review)`,
      assumeRolePolicy: trust([names.githubEnvironments.infra]),
    });
    new IamRolePolicy(this, 'infra-deployer-policy', {
      name: 'deploy-infra',
      role: this.infraDeployer.name,
      policy: policy(infraDeployerStatements(names, aws, props.stateBucket)),
    });

    this.runtimePublisher = new IamRole(this, 'runtime-publisher', {
      name: names.roles.runtimePublisher,
      description: `Publishes agent images to ${names.agentRuntime} (GitHub Actions)`,
      assumeRolePolicy: trust([names.githubEnvironments.runtime]),
    });
    new IamRolePolicy(this, 'runtime-publisher-policy', {
      name: 'publish-runtime',
      role: this.runtimePublisher.name,
      policy: policy([
        ...publisherStatements(props.publisher),
        ...promotionStatements(names, props.promotionSources ?? [], aws, props.promotionSourceRoleArns ?? []),
      ]),
    });

    // Every other role in the stack, whichever construct declares it, gets the boundary.
    const ciRoles = new Set<IamRole>([this.infraPlan, this.infraDeployer, this.runtimePublisher]);
    const boundaryPolicyArn = this.boundary.arn;
    Aspects.of(TerraformStack.of(this)).add({
      visit(node: IConstruct) {
        if (node instanceof IamRole && !ciRoles.has(node)) node.permissionsBoundary = boundaryPolicyArn;
      },
    });

    new TerraformOutput(this, 'infra-plan-role-arn', {
      value: this.infraPlan.arn,
      description: 'GitHub OIDC role for the diff job of deploy-infra.yml (read-only)',
    }).overrideLogicalId('infra_plan_role_arn');
  }
}
