/**
 * CI roles assumed through GitHub OIDC. Trust: tokens from token.actions.githubusercontent.com for
 * audience sts.amazonaws.com whose subject names this repository AND one GitHub environment:
 *   - infra plan      (`abca-<env>-ci-infra-plan`): environment `<env>-infra-plan` (read-only)
 *   - infra deployer  (`abca-<env>-ci-infra`):      environment `<env>-infra` (required reviewers)
 *   - runtime publisher (`abca-<env>-ci-publisher`): environment `<env>-runtime`
 * Also the permissions boundary that every other role of the stack carries.
 * The publisher can do exactly what publish/rollback need, on this environment's resources only.
 */
import { Construct, type IConstruct } from 'constructs';
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import { policy, POINTER_ACTIONS, trustPolicy, workloadIdentity, type Statement } from '../lib/iam';
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
      Action: POINTER_ACTIONS,
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

/** The services whose resources get generated ids: scoped by the `abca:env` tag instead of by name. */
export const TAG_SCOPED_SERVICES = ['ec2', 'apigateway', 'wafv2', 'cognito-idp', 'route53resolver', 'bedrock-agentcore'] as const;
/** The tag the provider's default_tags put on every resource of the environment. */
export const ENV_TAG = 'abca:env';
/** The only AWS-managed policy the stack attaches (the account's API Gateway logging role). */
export const ATTACHABLE_MANAGED_POLICIES = ['service-role/AmazonAPIGatewayPushToCloudWatchLogs'] as const;
/** Services the stack's roles are handed to (iam:PassRole). */
export const PASS_ROLE_SERVICES = ['lambda.amazonaws.com', AGENTCORE_SERVICE, 'apigateway.amazonaws.com'] as const;

/**
 * Creating a resource of a tag-scoped service: only with this environment's tag in the request.
 * Listed, not `Create*`: `ec2:CreateTags` must not tag someone else's resource into this environment.
 */
const TAG_SCOPED_CREATES = [
  'ec2:CreateVpc',
  'ec2:CreateSubnet',
  'ec2:CreateSecurityGroup',
  'ec2:CreateRouteTable',
  'ec2:CreateInternetGateway',
  'ec2:CreateNatGateway',
  'ec2:AllocateAddress',
  'ec2:CreateVpcEndpoint',
  'apigateway:POST',
  'wafv2:CreateWebACL',
  'cognito-idp:CreateUserPool',
  'route53resolver:CreateFirewallDomainList',
  'route53resolver:CreateFirewallRuleGroup',
  'route53resolver:AssociateFirewallRuleGroup',
  'bedrock-agentcore:CreateAgentRuntime',
  'bedrock-agentcore:CreateAgentRuntimeEndpoint',
];
const TAG_WRITES = [
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'apigateway:PUT',
  'apigateway:DELETE',
  'wafv2:TagResource',
  'wafv2:UntagResource',
  'cognito-idp:TagResource',
  'cognito-idp:UntagResource',
  'route53resolver:TagResource',
  'route53resolver:UntagResource',
  'bedrock-agentcore:TagResource',
  'bedrock-agentcore:UntagResource',
];

/** What a plan reads: the refresh of every resource type the stack declares. No data, no secrets. */
const PLAN_READS = [
  'ec2:Describe*',
  'ec2:GetManagedPrefixListEntries',
  'iam:Get*',
  'iam:List*',
  'dynamodb:DescribeTable',
  'dynamodb:DescribeContinuousBackups',
  'dynamodb:DescribeTimeToLive',
  'dynamodb:DescribeKinesisStreamingDestination',
  'dynamodb:ListTagsOfResource',
  'ssm:DescribeParameters',
  'ssm:ListTagsForResource',
  'ecr:DescribeRepositories',
  'ecr:GetLifecyclePolicy',
  'ecr:GetRepositoryPolicy',
  'ecr:ListTagsForResource',
  'lambda:GetFunction',
  'lambda:GetFunctionConfiguration',
  'lambda:GetFunctionCodeSigningConfig',
  'lambda:GetFunctionConcurrency',
  'lambda:GetPolicy',
  'lambda:GetEventSourceMapping',
  'lambda:ListEventSourceMappings',
  'lambda:ListVersionsByFunction',
  'lambda:ListTags',
  'logs:DescribeLogGroups',
  'logs:ListTagsForResource',
  'logs:ListTagsLogGroup',
  'apigateway:GET',
  'wafv2:Get*',
  'wafv2:List*',
  'cognito-idp:DescribeUserPool',
  'cognito-idp:DescribeUserPoolClient',
  'cognito-idp:GetUserPoolMfaConfig',
  'cognito-idp:GetGroup',
  'cognito-idp:ListTagsForResource',
  'route53resolver:Get*',
  'route53resolver:List*',
  'bedrock-agentcore:GetAgentRuntime',
  'bedrock-agentcore:GetAgentRuntimeEndpoint',
  'bedrock-agentcore:ListAgentRuntimes',
  'bedrock-agentcore:ListAgentRuntimeEndpoints',
  'bedrock-agentcore:ListAgentRuntimeVersions',
  'bedrock-agentcore:ListTagsForResource',
  'sts:GetCallerIdentity',
];

interface Arns {
  arn: (service: string, resource: string, region?: string) => string;
  iam: (resource: string) => string;
}
function arns(aws: AwsEnv): Arns {
  return {
    arn: (service, resource, region = aws.region) => `arn:${aws.partition}:${service}:${region}:${aws.accountId}:${resource}`,
    iam: (resource) => `arn:${aws.partition}:iam::${aws.accountId}:${resource}`,
  };
}

/** ARN of the permissions boundary (built from the name, so policies need not wait for it). */
export function boundaryArn(names: PlatformNames, aws: AwsEnv): string {
  return arns(aws).iam(`policy/${names.permissionsBoundary}`);
}

function stateStatements(names: PlatformNames, aws: AwsEnv, stateBucket: string, write: 'state' | 'lock-only'): Statement[] {
  const key = `arn:${aws.partition}:s3:::${stateBucket}/${stateKeyPrefix(names.env)}`;
  return [
    {
      Sid: 'StateBucket',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:${aws.partition}:s3:::${stateBucket}`,
      Condition: { StringLike: { 's3:prefix': `${stateKeyPrefix(names.env)}*` } },
    },
    write === 'state'
      ? { Sid: 'StateObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${key}*` }
      : { Sid: 'StateObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: `${key}*` },
    // A plan takes the S3-native lock (use_lockfile): that object only, never the state itself.
    ...(write === 'lock-only' ? [{ Sid: 'PlanLock', Effect: 'Allow' as const, Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${key}*.tflock` }] : []),
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
  const own: Statement = {
    Sid: 'ReadPromotionPolicy',
    Effect: 'Allow',
    Action: 'ssm:GetParameter',
    Resource: arn('ssm', `parameter${names.parameters.promotionPolicy}`),
  };
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
 * The plan job's role (`abca-<env>-ci-infra-plan`): `cdktf diff` runs the branch's code before any
 * reviewer approved it, so this role can read what a plan refreshes and the state, and nothing else.
 * No data reads (table items, secret values, objects but the state), no writes.
 */
export function infraPlanStatements(names: PlatformNames, aws: AwsEnv, stateBucket?: string): Statement[] {
  const { arn } = arns(aws);
  return [
    { Sid: 'RefreshReads', Effect: 'Allow', Action: PLAN_READS, Resource: '*' },
    // String parameters only (no SecureString in the stack): their values are what a plan compares.
    { Sid: 'Parameters', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: arn('ssm', `parameter/abca/${names.env}/*`) },
    // Blueprints look their token secret up at plan time (existence only, never the value).
    { Sid: 'BlueprintSecrets', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: arn('secretsmanager', `secret:${names.secretPrefix}*`) },
    ...(stateBucket ? stateStatements(names, aws, stateBucket, 'lock-only') : []),
  ];
}

/**
 * The infra deployer (`abca-<env>-ci-infra`, `<env>-infra` environment: after review) runs
 * `cdktf deploy infra`. Limits:
 *   - named resources: only this environment's names (abca-<env>-*, /abca/<env>/*);
 *   - generated ids (VPC, API Gateway, WAF, Cognito, DNS Firewall, AgentCore): only resources
 *     tagged `abca:env = <env>`, created only with that tag, and that tag never changed;
 *   - roles: every role write requires the stack's permissions boundary on the role
 *     (`iam:PermissionsBoundary`), so the CI roles (which carry none) and anything outside the
 *     boundary are out of reach; AWS-managed policies: only the one the stack attaches.
 * Changing the CI roles or the boundary therefore needs an administrator's deploy (docs/infra.md).
 */
export function infraDeployerStatements(names: PlatformNames, aws: AwsEnv, stateBucket?: string): Statement[] {
  const { arn, iam } = arns(aws);
  const p = names.prefix;
  const envRoles = iam(`role/${p}-*`);
  const ciRoles = iam(`role/${p}-ci-*`);
  const boundary = boundaryArn(names, aws);
  const region = { 'aws:RequestedRegion': aws.region };
  const statements: Statement[] = [
    { Sid: 'ReadEverything', Effect: 'Allow', Action: [...PLAN_READS, 'logs:Describe*'], Resource: '*' },
    { Sid: 'BlueprintSecrets', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: arn('secretsmanager', `secret:${names.secretPrefix}*`) },
    { Sid: 'Tables', Effect: 'Allow', Action: 'dynamodb:*', Resource: [arn('dynamodb', `table/${p}-*`)] },
    { Sid: 'Parameters', Effect: 'Allow', Action: 'ssm:*', Resource: arn('ssm', `parameter/abca/${names.env}/*`) },
    { Sid: 'Repository', Effect: 'Allow', Action: 'ecr:*', Resource: arn('ecr', `repository/${p}-*`) },
    {
      Sid: 'Functions',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PublishVersion',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:RemovePermission',
        'lambda:TagResource',
        'lambda:UntagResource',
      ],
      Resource: arn('lambda', `function:${p}-*`),
    },
    // Resource policies on the functions: API Gateway only (never a public or cross-account grant).
    {
      Sid: 'FunctionPermissions',
      Effect: 'Allow',
      Action: 'lambda:AddPermission',
      Resource: arn('lambda', `function:${p}-*`),
      Condition: { StringEquals: { 'lambda:Principal': 'apigateway.amazonaws.com' } },
    },
    // The image-pointer custom resource (aws_lambda_invocation) is the one function a deploy runs.
    { Sid: 'RunImagePointer', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arn('lambda', `function:${names.functions.imagePointer}`) },
    // Event source mappings are created before they have an ARN; they may feed this environment's functions only.
    {
      Sid: 'EventSourceMappings',
      Effect: 'Allow',
      Action: ['lambda:CreateEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
      Resource: '*',
      Condition: { ArnLike: { 'lambda:FunctionArn': arn('lambda', `function:${p}-*`) } },
    },
    // The provider's default_tags on the mappings (tagging carries no function ARN).
    {
      Sid: 'EventSourceMappingTags',
      Effect: 'Allow',
      Action: ['lambda:TagResource', 'lambda:UntagResource'],
      Resource: arn('lambda', 'event-source-mapping:*'),
    },
    {
      Sid: 'LogGroups',
      Effect: 'Allow',
      Action: 'logs:*',
      Resource: [
        arn('logs', `log-group:/aws/lambda/${p}-*`),
        arn('logs', `log-group:/aws/apigateway/${p}-*`),
        arn('logs', `log-group:/aws/lambda/${p}-*:*`),
        arn('logs', `log-group:/aws/apigateway/${p}-*:*`),
      ],
    },
    // API Gateway stages need the log delivery permission on the account to enable access logs.
    {
      Sid: 'LogDelivery',
      Effect: 'Allow',
      Action: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries'],
      Resource: '*',
    },
    {
      Sid: 'BoundedRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:UpdateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
      ],
      Resource: envRoles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    {
      Sid: 'AttachOnlyKnownManagedPolicies',
      Effect: 'Allow',
      Action: 'iam:AttachRolePolicy',
      Resource: envRoles,
      Condition: {
        StringEquals: { 'iam:PermissionsBoundary': boundary },
        ArnEquals: { 'iam:PolicyARN': ATTACHABLE_MANAGED_POLICIES.map((name) => `arn:${aws.partition}:iam::aws:policy/${name}`) },
      },
    },
    { Sid: 'RoleTagsAndDescriptions', Effect: 'Allow', Action: ['iam:TagRole', 'iam:UntagRole', 'iam:UpdateRoleDescription'], Resource: envRoles },
    {
      Sid: 'PassEnvironmentRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: envRoles,
      Condition: { StringEquals: { 'iam:PassedToService': [...PASS_ROLE_SERVICES] } },
    },
    // The CI roles are changed by an administrator only: never by the role that runs the deploy.
    {
      Sid: 'NoCiRoleChanges',
      Effect: 'Deny',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:PassRole',
      ],
      Resource: ciRoles,
    },
    {
      Sid: 'GithubOidcProvider',
      Effect: 'Allow',
      Action: [
        'iam:CreateOpenIDConnectProvider',
        'iam:DeleteOpenIDConnectProvider',
        'iam:UpdateOpenIDConnectProviderThumbprint',
        'iam:AddClientIDToOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        'iam:TagOpenIDConnectProvider',
        'iam:UntagOpenIDConnectProvider',
      ],
      Resource: iam(`oidc-provider/${GITHUB_OIDC_HOST}`),
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: '*',
      Condition: {
        StringEquals: {
          'iam:AWSServiceName': [
            'network.bedrock-agentcore.amazonaws.com',
            'runtime-identity.bedrock-agentcore.amazonaws.com',
            'ops.apigateway.amazonaws.com',
            'route53resolver.amazonaws.com',
          ],
        },
      },
    },
    // Generated-id services: create only with this environment's tag, manage only what carries it.
    {
      Sid: 'TaggedCreates',
      Effect: 'Allow',
      Action: TAG_SCOPED_CREATES,
      Resource: '*',
      Condition: { StringEquals: { ...region, [`aws:RequestTag/${ENV_TAG}`]: names.env } },
    },
    {
      Sid: 'TaggedResources',
      Effect: 'Allow',
      Action: TAG_SCOPED_SERVICES.map((s) => `${s}:*`),
      Resource: '*',
      Condition: { StringEquals: { ...region, [`aws:ResourceTag/${ENV_TAG}`]: names.env } },
    },
    // EC2 tags resources in the call that creates them (CreateTags with ec2:CreateAction).
    {
      Sid: 'Ec2TagOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: '*',
      Condition: { StringEquals: { ...region, 'ec2:CreateAction': TAG_SCOPED_CREATES.filter((a) => a.startsWith('ec2:')).map((a) => a.slice(4)) } },
    },
    // AWS-owned WAF managed rule groups carry no tag of ours; the account-wide API Gateway logging setting neither.
    {
      Sid: 'WafManagedRuleGroups',
      Effect: 'Allow',
      Action: ['wafv2:CreateWebACL', 'wafv2:UpdateWebACL'],
      Resource: arn('wafv2', 'regional/managedruleset/*/*'),
    },
    {
      Sid: 'ApiGatewayAccount',
      Effect: 'Allow',
      Action: ['apigateway:GET', 'apigateway:PATCH'],
      Resource: `arn:${aws.partition}:apigateway:${aws.region}::/account`,
    },
    // AgentCore workload identities are created with the runtime, named after it.
    {
      Sid: 'WorkloadIdentities',
      Effect: 'Allow',
      Action: [
        'bedrock-agentcore:CreateWorkloadIdentity',
        'bedrock-agentcore:GetWorkloadIdentity',
        'bedrock-agentcore:UpdateWorkloadIdentity',
        'bedrock-agentcore:DeleteWorkloadIdentity',
      ],
      Resource: [
        arn('bedrock-agentcore', 'workload-identity-directory/default'),
        arn('bedrock-agentcore', `workload-identity-directory/default/workload-identity/${agentRuntimePrefix(names)}*`),
      ],
    },
    // An environment's tag is never given to, or taken from, anything: that is what scopes the above.
    {
      Sid: 'NoForeignEnvTag',
      Effect: 'Deny',
      Action: [...TAG_SCOPED_CREATES, ...TAG_WRITES],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ENV_TAG }, StringNotEquals: { [`aws:RequestTag/${ENV_TAG}`]: names.env } },
    },
  ];
  if (stateBucket) statements.push(...stateStatements(names, aws, stateBucket, 'state'));
  return statements;
}

/** Runtime names are `abca_<env>_agent`: letters, digits, underscores (env names have no `-`). */
export function agentRuntimePrefix(names: PlatformNames): string {
  return `abca_${names.env}_`;
}

/**
 * The permissions boundary (`abca-<env>-boundary`) of every role the stack creates but the CI
 * roles: the most any of them may ever do, whatever the deployer writes into their policies. It is
 * this environment's data plane (tables, parameters, secrets, images, functions, its runtime, model
 * invocation, logs and traces), never IAM, never another environment's resources.
 */
export function boundaryStatements(names: PlatformNames, aws: AwsEnv): Statement[] {
  const { arn, iam } = arns(aws);
  const p = names.prefix;
  return [
    { Sid: 'Tables', Effect: 'Allow', Action: 'dynamodb:*', Resource: [arn('dynamodb', `table/${p}-*`), arn('dynamodb', `table/${p}-*/*`)] },
    {
      Sid: 'Parameters',
      Effect: 'Allow',
      Action: POINTER_ACTIONS,
      Resource: arn('ssm', `parameter/abca/${names.env}/*`),
    },
    {
      Sid: 'Secrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:TagResource',
      ],
      Resource: arn('secretsmanager', `secret:${names.secretPrefix}*`),
    },
    {
      Sid: 'Images',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:DescribeImages', 'ecr:ListImages'],
      Resource: arn('ecr', `repository/${p}-*`),
    },
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'Functions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arn('lambda', `function:${p}-*`) },
    { Sid: 'Runtime', Effect: 'Allow', Action: 'bedrock-agentcore:*', Resource: arn('bedrock-agentcore', `runtime/${agentRuntimePrefix(names)}*`) },
    { Sid: 'RuntimeVersions', Effect: 'Allow', Action: 'bedrock-agentcore:ListAgentRuntimeVersions', Resource: '*' },
    workloadIdentity(arn, `${agentRuntimePrefix(names)}*`),
    {
      Sid: 'Models',
      Effect: 'Allow',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: [`arn:${aws.partition}:bedrock:*::foundation-model/*`, arn('bedrock', 'inference-profile/*', '*')],
    },
    {
      Sid: 'UserGroups',
      Effect: 'Allow',
      Action: 'cognito-idp:AdminListGroupsForUser',
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${ENV_TAG}`]: names.env } },
    },
    {
      Sid: 'OnboardedDomains',
      Effect: 'Allow',
      Action: ['route53resolver:GetFirewallDomainList', 'route53resolver:ListFirewallDomains', 'route53resolver:UpdateFirewallDomains'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${ENV_TAG}`]: names.env } },
    },
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogGroups',
        'logs:DescribeLogStreams',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
      ],
      Resource: '*',
    },
    {
      Sid: 'Telemetry',
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'cloudwatch:PutMetricData'],
      Resource: '*',
    },
    {
      Sid: 'PassEnvironmentRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: iam(`role/${p}-*`),
      Condition: { StringEquals: { 'iam:PassedToService': [...PASS_ROLE_SERVICES] } },
    },
    { Sid: 'NoCiRoles', Effect: 'Deny', Action: 'iam:PassRole', Resource: iam(`role/${p}-ci-*`) },
    { Sid: 'Identity', Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
  ];
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
      policy: policy([...publisherStatements(props.publisher), ...promotionStatements(names, props.promotionSources ?? [], aws)]),
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
