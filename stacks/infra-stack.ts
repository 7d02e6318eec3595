/**
 * The `infra` stack: everything that changes on the weeks cadence, for one environment. Every name
 * comes from platformNames(env); the constructs below each own one concern.
 */
import * as path from 'node:path';
import type { Construct } from 'constructs';
import { Annotations, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { HandlerName } from '../src/build/handlers';
import { platformNames, type PlatformNames } from '../src/platform/names';
import { platformDocument } from '../src/platform/platform-document';
import { Api } from './constructs/api';
import { Application } from './constructs/application';
import { Auth } from './constructs/auth';
import type { BlueprintHost, BlueprintPlatform } from './constructs/blueprint';
import { CiRoles } from './constructs/ci-roles';
import { stateKeyPrefix } from './policies/state';
import { Data } from './constructs/data';
import { DnsFirewall } from './constructs/dns-firewall';
import { Network } from './constructs/network';
import { PlatformParameters } from './constructs/platform-parameters';
import { PromotionPolicyParameter, readPromoteFrom } from './constructs/promotion-policy';
import { ReleasePolicyParameter } from './constructs/release-policy';
import { TasksReconciler } from './constructs/tasks-reconciler';
import { arnIn, awsEnv, type AwsEnv } from './lib/aws-env';
import type { InfraSettings } from './settings';

export const STACK_NAME = 'infra';

export interface InfraStackProps {
  settings: InfraSettings;
  /** Folder of each bundled handler (bundleHandlers / bundleDirs). */
  bundles: Record<HandlerName, string>;
}

export class InfraStack extends TerraformStack implements BlueprintHost {
  readonly names: PlatformNames;
  readonly aws: AwsEnv;
  readonly network: Network;
  readonly data: Data;
  readonly auth: Auth;
  readonly dnsFirewall: DnsFirewall;
  readonly application: Application;
  readonly api: Api;
  readonly reconciler: TasksReconciler;
  readonly ciRoles: CiRoles;
  readonly parameters: PlatformParameters;
  readonly blueprintPlatform: BlueprintPlatform;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    super(scope, id);
    const { settings, bundles } = props;
    const names = (this.names = platformNames(settings.env));

    new AwsProvider(this, 'aws', {
      region: settings.region || undefined,
      defaultTags: [{ tags: { 'abca:env': names.env, 'abca:stack': STACK_NAME, 'abca:managed-by': 'cdktf' } }],
    });
    if (settings.stateBucket) {
      const backend = new S3Backend(this, {
        bucket: settings.stateBucket,
        key: `${stateKeyPrefix(names.env)}${STACK_NAME}.tfstate`,
        region: settings.region || undefined,
        encrypt: true,
      });
      // S3-native locking (Terraform >= 1.10); not yet in cdktf's typed backend config.
      backend.addOverride('use_lockfile', true);
    } else {
      // One state file per environment even locally (cdktf's default is one per stack name), so
      // two environments never share state by accident.
      new LocalBackend(this, { path: path.join(process.cwd(), `terraform.${STACK_NAME}-${names.env}.tfstate`) });
    }
    const aws = (this.aws = awsEnv(this));

    this.network = new Network(this, 'network', { names, region: aws.region, vpcCidr: settings.vpcCidr });
    this.data = new Data(this, 'data', { names, deletionProtection: settings.deletionProtection });
    this.auth = new Auth(this, 'auth', { names, deletionProtection: settings.deletionProtection });
    this.dnsFirewall = new DnsFirewall(this, 'dns-firewall', { names, vpcId: this.network.vpc.id });
    this.application = new Application(this, 'application', {
      names,
      aws,
      network: this.network,
      data: this.data,
      initialImageDigest: settings.initialImageDigest,
      imagePointerBundleDir: bundles.imagePointer,
    });
    this.api = new Api(this, 'api', {
      names,
      aws,
      data: this.data,
      auth: this.auth,
      onboardedDomainList: { id: this.dnsFirewall.onboardedList.id, arn: this.dnsFirewall.onboardedList.arn },
      agentRuntimeArn: this.application.runtime.agentRuntimeArn,
      apiBundleDir: bundles.api,
      provisionerBundleDir: bundles.provisioner,
      manageApiGatewayAccount: settings.manageApiGatewayAccount,
    });

    this.reconciler = new TasksReconciler(this, 'tasks-reconciler', {
      names,
      aws,
      data: this.data,
      agentRuntimeArn: this.application.runtime.agentRuntimeArn,
      bundleDir: bundles.reconciler,
    });

    const app = this.application;
    const parameterArn = (name: string) => arnIn(aws)('ssm', `parameter${name}`);
    this.parameters = new PlatformParameters(this, 'parameters', {
      names,
      document: platformDocument(names, {
        region: aws.region,
        apiUrl: this.api.url,
        userPoolId: this.auth.userPool.id,
        userPoolClientId: this.auth.client.id,
        agentRuntimeId: app.runtime.agentRuntimeId,
        agentRuntimeArn: app.runtime.agentRuntimeArn,
        liveEndpointArn: app.liveEndpoint.agentRuntimeEndpointArn,
        canaryEndpointArn: app.canaryEndpoint.agentRuntimeEndpointArn,
        ecrRepositoryName: app.repository.name,
        ecrRepositoryUrl: app.repository.repositoryUrl,
        tables: {
          repos: this.data.tables.repos.name,
          tasks: this.data.tables.tasks.name,
          audit: this.data.tables.audit.name,
          apiKeys: this.data.tables.apiKeys.name,
          locks: this.data.tables.locks.name,
        },
        onboardedDomainListId: this.dnsFirewall.onboardedList.id,
      }),
    });

    const promotion = new PromotionPolicyParameter(this, 'promotion-policy', { names, promoteFrom: readPromoteFrom(this) });
    new ReleasePolicyParameter(this, 'release-policy', { names });

    if (!settings.githubRepositoryConfigured) {
      Annotations.of(this).addWarning(`githubRepository not set: the CI roles trust no one (${settings.githubRepository}); see docs/infra.md`);
    }
    this.ciRoles = new CiRoles(this, 'ci-roles', {
      names,
      aws,
      githubRepository: settings.githubRepository,
      existingOidcProviderArn: settings.githubOidcProviderArn,
      stateBucket: settings.stateBucket,
      promotionSources: promotion.defaults.accept_from.map((env) => platformNames(env)),
      promotionSourceRoleArns: settings.promotionSourceRoleArns,
      publisher: {
        // Built from the name (not the resource) so the role does not wait for the parameter.
        platformParameterArn: parameterArn(names.parameters.platform),
        releasePolicyArn: parameterArn(names.parameters.releasePolicy),
        guardrailsArn: parameterArn(names.parameters.guardrails),
        releaseSecretsArn: arnIn(aws)('secretsmanager', `secret:${names.secretPrefix}release-*`),
        tasksTableArn: this.data.tables.tasks.arn,
        reposTableArn: this.data.tables.repos.arn,
        pointerArn: app.pointer.arn,
        repositoryArn: app.repository.arn,
        runtimeArn: app.runtime.agentRuntimeArn,
        auditTableArn: this.data.tables.audit.arn,
        locksTableArn: this.data.tables.locks.arn,
        executionRoleArn: app.executionRole.arn,
      },
    });

    this.blueprintPlatform = { names, reposTableName: this.data.tables.repos.name, dnsFirewall: this.dnsFirewall };

    const output = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description });
    output('api_url', this.api.url, 'API base URL (routes under /v1)');
    output('user_pool_id', this.auth.userPool.id, 'Cognito user pool');
    output('user_pool_client_id', this.auth.client.id, 'Cognito app client for the CLI');
    output('agent_runtime_arn', app.runtime.agentRuntimeArn, 'AgentCore runtime');
    output('ecr_repository_url', app.repository.repositoryUrl, 'Agent image repository');
    output('image_pointer_parameter', names.parameters.imagePointer, 'SSM image pointer');
    output('platform_parameter', names.parameters.platform, 'Discovery document (PlatformConfig)');
    output('infra_deployer_role_arn', this.ciRoles.infraDeployer.arn, 'GitHub OIDC role for deploy-infra.yml');
    output('runtime_publisher_role_arn', this.ciRoles.runtimePublisher.arn, 'GitHub OIDC role for deploy-runtime.yml');
  }
}
