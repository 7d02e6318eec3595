/** The runtime publisher's policy: publish, rollback and the image push here; promote from the source environments. */
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import { POINTER_ACTIONS, type Statement } from '../lib/iam';
import { AGENTCORE_SERVICE } from '../constructs/application';

export interface PublisherResources {
  platformParameterArn: string;
  /** `/abca/<env>/release-policy`: publish reads its canary check, golden task, bake and gate. */
  releasePolicyArn: string;
  /** The release policy's golden task runs as a task: its row, its repository's RepoConfig, the default model. */
  tasksTableArn: string;
  reposTableArn: string;
  guardrailsArn: string;
  /** Secrets under `abca/<env>/release-…`: the release policy's webhook URL. */
  releaseSecretsArn: string;
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
    { Sid: 'ReadReleasePolicy', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: r.releasePolicyArn },
    // The canary check's golden task is recorded like any task (TaskStore: conditional put, get,
    // transitions); the bake window reads the tasks started since live moved (TaskStore.list: Scan).
    {
      Sid: 'ReleaseTasks',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
      Resource: r.tasksTableArn,
    },
    { Sid: 'GoldenTaskRepo', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: r.reposTableArn },
    // The release policy's webhook URL is a secret: read only at notification time, never logged.
    { Sid: 'ReleaseWebhook', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: r.releaseSecretsArn },
    { Sid: 'GoldenTaskModel', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: r.guardrailsArn },
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

/** What promotion reads of a source environment: the image, the platform document, the audit, the runtime and its `live` endpoint. */
const SOURCE_READS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:DescribeImages',
  'ssm:GetParameter',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'bedrock-agentcore:GetAgentRuntime',
  'bedrock-agentcore:GetAgentRuntimeEndpoint',
];

/**
 * `runtime promote` into this environment: the publisher reads this environment's promotion policy
 * and, read-only, the source environments the stack lists (the policy's default accept_from): the
 * image in their repository (manifest, layer download, availability) and, to check the digest
 * succeeded there, their platform document, audit table and runtime with its `live` endpoint. No
 * push to their repository, no pointer, lock, runtime or endpoint write. Runtime ids are generated,
 * so their runtimes are matched by name (`<runtime name>-*`).
 */
export function promotionStatements(
  names: PlatformNames,
  sources: readonly PlatformNames[],
  aws: AwsEnv,
  /** Roles in other accounts that read a source environment there (`--source-role-arn`). */
  sourceRoleArns: readonly string[] = [],
): Statement[] {
  const arn = (service: string, resource: string) => `arn:${aws.partition}:${service}:${aws.region}:${aws.accountId}:${resource}`;
  const own: Statement = {
    Sid: 'ReadPromotionPolicy',
    Effect: 'Allow',
    Action: 'ssm:GetParameter',
    Resource: arn('ssm', `parameter${names.parameters.promotionPolicy}`),
  };
  // Cross-account sources: the publisher assumes each one's role there; what it may read is
  // that role's, granted in the source account (promotionSourceStatements).
  const assume: Statement[] = sourceRoleArns.length
    ? [{ Sid: 'AssumePromotionSourceRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [...sourceRoleArns] }]
    : [];
  if (!sources.length) return [own, ...assume];
  return [
    own,
    ...assume,
    {
      Sid: 'PromoteFromSources',
      Effect: 'Allow',
      Action: [...SOURCE_READS],
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
 * What the operator sets up in a source account for cross-account promotion: a role (say
 * `abca-<source env>-promotion-source`) whose trust policy names the target environment's publisher
 * role, with this read-only policy over the source environment, the same reads the same-account
 * grant above allows (the image, the platform document, the audit, the runtime and its `live`
 * endpoint). A repository policy alone would not do: the eligibility check reads SSM, DynamoDB and
 * AgentCore, which take no cross-account resource policy, so the target reads as this role.
 */
export function promotionSourceStatements(source: PlatformNames, aws: AwsEnv): Statement[] {
  const arn = (service: string, resource: string) => `arn:${aws.partition}:${service}:${aws.region}:${aws.accountId}:${resource}`;
  return [
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'ReadSourceForPromotion',
      Effect: 'Allow',
      Action: [...SOURCE_READS, 'bedrock-agentcore:ListAgentRuntimeVersions'],
      Resource: [
        arn('ecr', `repository/${source.ecrRepository}`),
        arn('ssm', `parameter${source.parameters.platform}`),
        arn('dynamodb', `table/${source.tables.audit}`),
        arn('bedrock-agentcore', `runtime/${source.agentRuntime}-*`),
      ],
    },
  ];
}

/** The trust policy of that role: only the target publisher role may assume it. */
export function promotionSourceTrust(targetPublisherRoleArn: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: targetPublisherRoleArn }, Action: 'sts:AssumeRole' }],
  };
}
