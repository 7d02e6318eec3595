import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import type { Statement } from '../lib/iam';
import { arns } from './scope';
import { stateStatements } from './state';

/** What a plan reads: the refresh of every resource type the stack declares. No data, no secrets. */
export const PLAN_READS = [
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
