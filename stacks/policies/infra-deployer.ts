import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import type { Statement } from '../lib/iam';
import { PLAN_READS } from './infra-plan';
import { agentRuntimePrefix, arns, boundaryArn, ENV_TAG, GITHUB_OIDC_HOST, PASS_ROLE_SERVICES, TAG_SCOPED_SERVICES } from './scope';
import { stateStatements } from './state';

/** The only AWS-managed policy the stack attaches (the account's API Gateway logging role). */
export const ATTACHABLE_MANAGED_POLICIES = ['service-role/AmazonAPIGatewayPushToCloudWatchLogs'] as const;

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
