/**
 * CI roles assumed through GitHub OIDC. Trust: tokens from token.actions.githubusercontent.com for
 * audience sts.amazonaws.com whose subject names this repository AND one GitHub environment:
 *   - infra deployer  (`abca-<env>-ci-infra`):     environments `<env>-infra-plan`, `<env>-infra`
 *   - runtime publisher (`abca-<env>-ci-publisher`): environment `<env>-runtime`
 * The publisher can do exactly what publish/rollback need, on this environment's resources only.
 */
import { Construct } from 'constructs';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import { policy, trustPolicy, type Statement } from '../lib/iam';
import { AGENTCORE_SERVICE } from './application';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface PublisherResources {
  platformParameterArn: string;
  pointerArn: string;
  repositoryArn: string;
  runtimeArn: string;
  auditTableArn: string;
  locksTableArn: string;
  executionRoleArn: string;
}

/** The runtime publisher's whole permission set (scripts/publish-runtime.ts, rollback, the image push). */
export function publisherStatements(r: PublisherResources): Statement[] {
  return [
    { Sid: 'ReadPlatform', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: r.platformParameterArn },
    {
      Sid: 'WritePointer',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:LabelParameterVersion', 'ssm:UnlabelParameterVersion'],
      Resource: r.pointerArn,
    },
    // The registry login token has no resource-level permission in AWS.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PushAndResolveImages',
      Effect: 'Allow',
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:DescribeImages',
        'ecr:ListImages',
        'ecr:DescribeRepositories',
      ],
      Resource: r.repositoryArn,
    },
    { Sid: 'Runtime', Effect: 'Allow', Action: ['bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'], Resource: r.runtimeArn },
    // Publish moves the named endpoints: canary to the new version, live after the smoke.
    {
      Sid: 'RuntimeEndpoints',
      Effect: 'Allow',
      Action: ['bedrock-agentcore:GetAgentRuntimeEndpoint', 'bedrock-agentcore:UpdateAgentRuntimeEndpoint'],
      Resource: [r.runtimeArn, `${r.runtimeArn}/runtime-endpoint/*`],
    },
    // The smoke check (scripts/smoke-runtime.ts) pings the new image through the runtime itself.
    { Sid: 'SmokeInvoke', Effect: 'Allow', Action: 'bedrock-agentcore:InvokeAgentRuntime', Resource: [r.runtimeArn, `${r.runtimeArn}/runtime-endpoint/*`] },
    // ListAgentRuntimeVersions supports no resource-level permission (the service authorization
    // reference lists no resource type for it), so it can only be granted on "*". Read-only.
    { Sid: 'RuntimeVersions', Effect: 'Allow', Action: 'bedrock-agentcore:ListAgentRuntimeVersions', Resource: '*' },
    {
      Sid: 'AuditAndLocks',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
      Resource: [r.auditTableArn, r.locksTableArn],
    },
    {
      Sid: 'PassRuntimeRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: r.executionRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': AGENTCORE_SERVICE } },
    },
  ];
}

/**
 * `runtime promote` into this environment: the publisher reads this environment's promotion policy
 * and, read-only, the source environments the stack lists (the policy's default accept_from): the
 * image in their repository (manifest, layer download, availability) and, to check the digest
 * succeeded there, their platform document, audit table and runtime with its `live` endpoint. No
 * push to their repository, no pointer, lock, runtime or endpoint write. Runtime ids are generated,
 * so their runtimes are matched by name (`<runtime name>-*`).
 */
export function promotionStatements(names: PlatformNames, sources: readonly PlatformNames[], aws: AwsEnv): Statement[] {
  const arn = (service: string, resource: string) => `arn:${aws.partition}:${service}:${aws.region}:${aws.accountId}:${resource}`;
  const own: Statement = { Sid: 'ReadPromotionPolicy', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: arn('ssm', `parameter${names.parameters.promotionPolicy}`) };
  if (!sources.length) return [own];
  return [
    own,
    {
      Sid: 'PromoteFromSources',
      Effect: 'Allow',
      Action: [
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
        'ecr:DescribeImages',
        'ssm:GetParameter',
        'dynamodb:Query',
        'dynamodb:GetItem',
        'bedrock-agentcore:GetAgentRuntime',
        'bedrock-agentcore:GetAgentRuntimeEndpoint',
      ],
      Resource: sources.flatMap((s) => [
        arn('ecr', `repository/${s.ecrRepository}`),
        arn('ssm', `parameter${s.parameters.platform}`),
        arn('dynamodb', `table/${s.tables.audit}`),
        arn('bedrock-agentcore', `runtime/${s.agentRuntime}-*`),
      ]),
    },
  ];
}

/**
 * The infra deployer runs `cdktf diff/deploy infra`, so it manages everything the stack declares.
 * Where ARNs carry names, actions are limited to this environment's names (abca-<env>-*,
 * /abca/<env>/*); where AWS generates ids (VPC, API Gateway, WAF, Cognito, DNS Firewall, AgentCore),
 * the service is granted account-wide. See docs/infra.md.
 */
export function infraDeployerStatements(names: PlatformNames, aws: AwsEnv, stateBucket?: string): Statement[] {
  const arn = (service: string, resource: string, region: string = aws.region) => `arn:${aws.partition}:${service}:${region}:${aws.accountId}:${resource}`;
  const iamArn = (resource: string) => `arn:${aws.partition}:iam::${aws.accountId}:${resource}`;
  const p = names.prefix;
  const statements: Statement[] = [
    { Sid: 'ReadEverything', Effect: 'Allow', Action: ['ec2:Describe*', 'iam:Get*', 'iam:List*', 'logs:Describe*', 'ssm:DescribeParameters', 'sts:GetCallerIdentity'], Resource: '*' },
    { Sid: 'Tables', Effect: 'Allow', Action: 'dynamodb:*', Resource: [arn('dynamodb', `table/${p}-*`)] },
    { Sid: 'Parameters', Effect: 'Allow', Action: 'ssm:*', Resource: arn('ssm', `parameter/abca/${names.env}/*`) },
    { Sid: 'Repository', Effect: 'Allow', Action: 'ecr:*', Resource: arn('ecr', `repository/${p}-*`) },
    // Blueprints look their token secret up at plan time (existence only, never the value).
    { Sid: 'BlueprintSecrets', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: arn('secretsmanager', `secret:${names.secretPrefix}*`) },
    { Sid: 'Functions', Effect: 'Allow', Action: 'lambda:*', Resource: [arn('lambda', `function:${p}-*`), arn('lambda', 'event-source-mapping:*')] },
    // Event source mappings are created and listed before they have an ARN.
    {
      Sid: 'EventSourceMappings',
      Effect: 'Allow',
      Action: ['lambda:CreateEventSourceMapping', 'lambda:GetEventSourceMapping', 'lambda:ListEventSourceMappings', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping', 'lambda:TagResource', 'lambda:ListTags'],
      Resource: '*',
    },
    {
      Sid: 'LogGroups',
      Effect: 'Allow',
      Action: 'logs:*',
      Resource: [arn('logs', `log-group:/aws/lambda/${p}-*`), arn('logs', `log-group:/aws/apigateway/${p}-*`), arn('logs', `log-group:/aws/lambda/${p}-*:*`), arn('logs', `log-group:/aws/apigateway/${p}-*:*`)],
    },
    // API Gateway stages need the log delivery permission on the account to enable access logs.
    { Sid: 'LogDelivery', Effect: 'Allow', Action: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries'], Resource: '*' },
    {
      Sid: 'EnvironmentRoles',
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole'],
      Resource: iamArn(`role/${p}-*`),
    },
    {
      Sid: 'GithubOidcProvider',
      Effect: 'Allow',
      Action: ['iam:CreateOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider', 'iam:UntagOpenIDConnectProvider'],
      Resource: iamArn(`oidc-provider/${GITHUB_OIDC_HOST}`),
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': ['network.bedrock-agentcore.amazonaws.com', 'runtime-identity.bedrock-agentcore.amazonaws.com', 'ops.apigateway.amazonaws.com', 'route53resolver.amazonaws.com'] } },
    },
    // Services whose resources get generated ids: granted for the account and region.
    {
      Sid: 'GeneratedIdServices',
      Effect: 'Allow',
      Action: ['ec2:*', 'apigateway:*', 'wafv2:*', 'cognito-idp:*', 'route53resolver:*', 'bedrock-agentcore:*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': aws.region } },
    },
  ];
  if (stateBucket) {
    statements.push(
      { Sid: 'StateBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:${aws.partition}:s3:::${stateBucket}` },
      {
        Sid: 'StateObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: `arn:${aws.partition}:s3:::${stateBucket}/${stateKeyPrefix(names.env)}*`,
      },
    );
  }
  return statements;
}

/** Where this environment's Terraform state lives in the state bucket. */
export function stateKeyPrefix(env: string): string {
  return `abca/${env}/`;
}

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
}

export class CiRoles extends Construct {
  readonly oidcProviderArn: string;
  readonly infraDeployer: IamRole;
  readonly runtimePublisher: IamRole;

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

    this.infraDeployer = new IamRole(this, 'infra-deployer', {
      name: names.roles.infraDeployer,
      description: `cdktf deploy infra for ${names.env} (GitHub Actions)`,
      assumeRolePolicy: trust([names.githubEnvironments.infraPlan, names.githubEnvironments.infra]),
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
      policy: policy([...publisherStatements(props.publisher), ...promotionStatements(names, props.promotionSources ?? [], aws)]),
    });
  }
}
