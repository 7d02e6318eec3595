/** The permissions boundary every role of the stack but the CI roles carries. */
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import { POINTER_ACTIONS, workloadIdentity, type Statement } from '../lib/iam';
import { agentRuntimePrefix, arns, ENV_TAG, PASS_ROLE_SERVICES } from './scope';

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
      // The API re-checks groups, and manages its own pool's users for admins (/v1/users).
      Action: [
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminDeleteUser',
        'cognito-idp:AdminSetUserPassword',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminUserGlobalSignOut',
        'cognito-idp:ListUsers',
        'cognito-idp:ListUsersInGroup',
      ],
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
    // The agent assumes its per-task session role, tagged with its task (docs/agent-contract.md §8).
    { Sid: 'AgentSession', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: iam(`role/${names.roles.agentSession}`) },
  ];
}
