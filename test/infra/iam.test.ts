/**
 * The synthesized IAM policies, evaluated with a real IAM policy simulator
 * (@cloud-copilot/iam-simulate) after Terraform references are resolved to the ARNs AWS would give
 * this environment's resources.
 */
import { AGENT_ATTRIBUTES } from '../../agent/src/task-row';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { AGENT_TASK_ATTRIBUTES } from '../../src/tasks/agent-attributes';
import { platformNames } from '../../src/platform/names';
import { compilePolicies } from '../../src/local/iam';
import { reasonFor, UNUSED_GRANT_REASONS } from './iam-unused-grants';
import {
  decide,
  type Request,
  ACCOUNT,
  REGION,
  find,
  resolveRefs,
  resources,
  rolePolicy,
  synthInfraJson,
  testBundles,
  trustPolicyOf,
  TEST_REPOSITORY,
  type TfJson,
} from './support';

const names = platformNames('dev');
const other = platformNames('staging');
let json: TfJson;

beforeAll(async () => {
  json = synthInfraJson(await testBundles(), { env: 'dev' }).json;
});

const arn = {
  ssm: (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
  table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  repo: (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
  role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
  runtime: (name: string) => `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${name}-a1b2c3d4e5`,
};
const PASSED_TO_AGENTCORE = { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' };

async function decisions(roleName: string, requests: Request[]): Promise<string[]> {
  const policy = rolePolicy(json, roleName);
  const principal = arn.role(roleName);
  return Promise.all(requests.map(async (r) => `${r.action} ${r.resource}: ${await decide(policy, principal, r)}`));
}
const expectAll = async (roleName: string, requests: Request[], decision: string) =>
  expect(await decisions(roleName, requests)).toEqual(requests.map((r) => `${r.action} ${r.resource}: ${decision}`));

describe('runtime publisher role', () => {
  const role = names.roles.runtimePublisher;

  it('may publish: read the platform, write the pointer, push the image, update the runtime, pass its role, write audit and locks', async () => {
    await expectAll(
      role,
      [
        { action: 'ssm:GetParameter', resource: arn.ssm(names.parameters.platform) },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ssm:LabelParameterVersion', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ssm:UnlabelParameterVersion', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ssm:GetParameterHistory', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ecr:GetAuthorizationToken', resource: '*' },
        { action: 'ecr:PutImage', resource: arn.repo(names.ecrRepository) },
        { action: 'ecr:DescribeImages', resource: arn.repo(names.ecrRepository) },
        { action: 'bedrock-agentcore:GetAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/DEFAULT` },
        { action: 'bedrock-agentcore:UpdateAgentRuntimeEndpoint', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/canary` },
        { action: 'bedrock-agentcore:GetAgentRuntimeEndpoint', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/live` },
        { action: 'iam:PassRole', resource: arn.role(names.roles.runtimeExecution), context: PASSED_TO_AGENTCORE },
        { action: 'dynamodb:PutItem', resource: arn.table(names.tables.audit) },
        { action: 'dynamodb:UpdateItem', resource: arn.table(names.tables.locks) },
        { action: 'dynamodb:DeleteItem', resource: arn.table(names.tables.locks) },
      ],
      'Allowed',
    );
  });

  it('may not touch anything else: tables, IAM, other parameters, other runtimes, other roles, other repositories', async () => {
    await expectAll(
      role,
      [
        { action: 'dynamodb:DeleteTable', resource: arn.table(names.tables.repos) },
        { action: 'dynamodb:DeleteTable', resource: arn.table(names.tables.audit) },
        { action: 'dynamodb:PutItem', resource: arn.table(names.tables.repos) },
        { action: 'dynamodb:PutItem', resource: arn.table(other.tables.locks) },
        { action: 'iam:CreateRole', resource: arn.role('anything') },
        { action: 'iam:PutRolePolicy', resource: arn.role(names.roles.runtimePublisher) },
        { action: 'iam:AttachRolePolicy', resource: arn.role(names.roles.runtimeExecution) },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.platform) },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.guardrails) },
        { action: 'ssm:PutParameter', resource: arn.ssm(other.parameters.imagePointer) },
        { action: 'ssm:PutParameter', resource: arn.ssm('/abca/dev/runtime/image-digest-2') },
        { action: 'ssm:DeleteParameter', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(other.agentRuntime) },
        { action: 'bedrock-agentcore:DeleteAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(other.agentRuntime) },
        { action: 'iam:PassRole', resource: arn.role('Admin'), context: PASSED_TO_AGENTCORE },
        { action: 'iam:PassRole', resource: arn.role(names.roles.infraDeployer), context: PASSED_TO_AGENTCORE },
        // The runtime's own role, but handed to another service.
        { action: 'iam:PassRole', resource: arn.role(names.roles.runtimeExecution), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
        { action: 'ecr:PutImage', resource: arn.repo(other.ecrRepository) },
        { action: 'ecr:DeleteRepository', resource: arn.repo(names.ecrRepository) },
        { action: 'ecr:BatchDeleteImage', resource: arn.repo(names.ecrRepository) },
        { action: 'ecr:PutLifecyclePolicy', resource: arn.repo(names.ecrRepository) },
        { action: 'lambda:UpdateFunctionCode', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${names.functions.api}` },
        { action: 's3:GetObject', resource: 'arn:aws:s3:::any-bucket/any-key' },
      ],
      'ImplicitlyDenied',
    );
  });

  it('names only its own resources (and "*" only for the two actions AWS cannot scope)', () => {
    // Act
    const statements = rolePolicy(json, role).Statement;
    const named = new Set(statements.flatMap((s) => [s.Resource].flat() as string[]));
    const wildcard = statements.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat());
    // Assess
    expect([...named].sort()).toEqual(
      [
        '*',
        arn.ssm(names.parameters.platform),
        arn.ssm(names.parameters.imagePointer),
        arn.ssm(names.parameters.promotionPolicy),
        arn.repo(names.ecrRepository),
        arn.runtime(names.agentRuntime),
        `${arn.runtime(names.agentRuntime)}/runtime-endpoint/*`,
        arn.table(names.tables.audit),
        arn.table(names.tables.locks),
        arn.role(names.roles.runtimeExecution),
        // Releases that protect themselves: the release policy, and the canary check's golden task.
        arn.ssm(names.parameters.releasePolicy),
        arn.ssm(names.parameters.guardrails),
        arn.table(names.tables.tasks),
        arn.table(names.tables.repos),
        `arn:aws:secretsmanager:us-east-1:123456789012:secret:${names.secretPrefix}release-*`,
      ].sort(),
    );
    expect(wildcard.sort()).toEqual(['bedrock-agentcore:ListAgentRuntimeVersions', 'ecr:GetAuthorizationToken']);
    expect(statements.every((s) => s.Effect === 'Allow' && !String(s.Action).includes('*'))).toBe(true);
    // Only the inline policy: nothing attached on the side.
    expect(resources(json, 'aws_iam_role_policy_attachment').filter(([, a]) => String(a.role).includes('runtime-publisher'))).toEqual([]);
  });

  it('is trusted only by GitHub OIDC tokens for this repository and the <env>-runtime environment', () => {
    // Act
    const trust = trustPolicyOf(json, role);
    // Assess
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': [`repo:${TEST_REPOSITORY}:environment:dev-runtime`],
          },
        },
      },
    ]);
  });
});

describe('GitHub OIDC provider', () => {
  it('is created once per account, or reused when githubOidcProviderArn names the existing one', async () => {
    // Prepare
    const existing = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    // Act
    const reused = synthInfraJson(await testBundles(), { env: 'staging', githubOidcProviderArn: existing }).json;
    // Assess
    expect(resources(json, 'aws_iam_openid_connect_provider').map(([, p]) => [p.url, p.client_id_list])).toEqual([
      ['https://token.actions.githubusercontent.com', ['sts.amazonaws.com']],
    ]);
    expect(resources(reused, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(trustPolicyOf(reused, other.roles.runtimePublisher).Statement[0]).toMatchObject({ Principal: { Federated: existing } });
  });
});

describe('AgentCore runtime role', () => {
  const role = names.roles.runtimeExecution;
  const tasks = arn.table(names.tables.tasks);
  const own = [...AGENT_ATTRIBUTES];
  const attrs = (list: string[], returnValues = 'NONE') => ({ 'dynamodb:Attributes': list, 'dynamodb:ReturnValues': returnValues });

  it("allows exactly the attributes the agent writes (the stack keeps a copy of the agent's list)", () => {
    expect([...AGENT_TASK_ATTRIBUTES].sort()).toEqual([...AGENT_ATTRIBUTES].sort());
  });

  it('writes no task row itself: it assumes the per-task session role, tagged, and nothing else', async () => {
    await expectAll(
      role,
      [
        { action: 'sts:AssumeRole', resource: arn.role(names.roles.agentSession) },
        { action: 'sts:TagSession', resource: arn.role(names.roles.agentSession), context: { 'aws:RequestTag/task_id': 'task-a' } },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'dynamodb:UpdateItem', resource: tasks, context: attrs(own) },
        { action: 'dynamodb:GetItem', resource: tasks },
        { action: 'sts:AssumeRole', resource: arn.role(names.roles.apiFn) },
      ],
      'ImplicitlyDenied',
    );
  });
});

describe('agent session role (per task, pinned by its task_id tag)', () => {
  const role = names.roles.agentSession;
  const tasks = arn.table(names.tables.tasks);
  const own = [...AGENT_ATTRIBUTES];
  // A session of task A: its tag, and the row key a request addresses (dynamodb:LeadingKeys).
  const as = (taskTag: string, rowKey: string, list?: string[], returnValues = 'NONE') => ({
    'aws:PrincipalTag/task_id': taskTag,
    'dynamodb:LeadingKeys': [rowKey],
    ...(list ? { 'dynamodb:Attributes': list, 'dynamodb:ReturnValues': returnValues } : {}),
  });

  it("lets task A's agent read its row and update the contract's attributes of it, returning nothing", async () => {
    await expectAll(
      role,
      [
        { action: 'dynamodb:GetItem', resource: tasks, context: as('task-a', 'task-a') },
        { action: 'dynamodb:UpdateItem', resource: tasks, context: as('task-a', 'task-a', own) },
        { action: 'dynamodb:UpdateItem', resource: tasks, context: as('task-a', 'task-a', ['task_id', 'status', 'agent_heartbeat_at']) },
      ],
      'Allowed',
    );
  });

  it("denies task A's agent task B's row (forging its result, resetting its status), other attributes, and values back", async () => {
    await expectAll(
      role,
      [
        { action: 'dynamodb:UpdateItem', resource: tasks, context: as('task-a', 'task-b', ['task_id', 'status', 'pr_url']) },
        { action: 'dynamodb:GetItem', resource: tasks, context: as('task-a', 'task-b') },
        { action: 'dynamodb:UpdateItem', resource: tasks, context: as('task-a', 'task-a', [...own, 'config']) },
        { action: 'dynamodb:UpdateItem', resource: tasks, context: as('task-a', 'task-a', ['task_id', 'submitted_by']) },
        { action: 'dynamodb:UpdateItem', resource: tasks, context: as('task-a', 'task-a', own, 'ALL_NEW') },
        { action: 'dynamodb:PutItem', resource: tasks, context: as('task-a', 'task-a', own) },
        { action: 'dynamodb:DeleteItem', resource: tasks, context: as('task-a', 'task-a') },
        { action: 'dynamodb:Scan', resource: tasks },
        { action: 'dynamodb:UpdateItem', resource: arn.table(other.tables.tasks), context: as('task-a', 'task-a', own) },
      ],
      'ImplicitlyDenied',
    );
  });

  it('trusts only the runtime role; a session it tags must carry task_id', () => {
    expect(trustPolicyOf(json, role).Statement).toEqual([
      expect.objectContaining({ Principal: { AWS: arn.role(names.roles.runtimeExecution) }, Action: 'sts:AssumeRole' }),
      expect.objectContaining({
        Principal: { AWS: arn.role(names.roles.runtimeExecution) },
        Action: 'sts:TagSession',
        Condition: { Null: { 'aws:RequestTag/task_id': 'false' } },
      }),
    ]);
  });
});

describe('AgentCore runtime role, continued', () => {
  const role = names.roles.runtimeExecution;
  it('reads no repository row, writes no audit event and reads no secret', async () => {
    await expectAll(
      role,
      [
        { action: 'dynamodb:GetItem', resource: arn.table(names.tables.repos) },
        { action: 'dynamodb:Query', resource: `${arn.table(names.tables.repos)}/index/status-index` },
        { action: 'dynamodb:PutItem', resource: arn.table(names.tables.audit) },
        {
          action: 'secretsmanager:GetSecretValue',
          resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${names.secretPrefix}github-token/acme/widgets-AbCdEf`,
        },
      ],
      'ImplicitlyDenied',
    );
  });

  it("may invoke the guardrails' default models only", async () => {
    const profile = (id: string) => `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/${id}`;
    const foundation = (id: string, region = 'us-west-2') => `arn:aws:bedrock:${region}::foundation-model/${id}`;
    const [first] = DEFAULT_GUARDRAILS.allowed_models;
    await expectAll(
      role,
      [
        ...DEFAULT_GUARDRAILS.allowed_models.map((m) => ({ action: 'bedrock:InvokeModel', resource: profile(m) })),
        { action: 'bedrock:InvokeModelWithResponseStream', resource: foundation(first!.replace(/^us\./, ''), 'us-east-2') },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'bedrock:InvokeModel', resource: profile('us.meta.llama3-3-70b-instruct-v1:0') },
        { action: 'bedrock:InvokeModel', resource: foundation('amazon.titan-text-express-v1') },
      ],
      'ImplicitlyDenied',
    );
  });
});

describe('task reconciler roles', () => {
  it('the reconciler starts tasks: it reads GitHub token secrets under the platform prefix (for the invocation), no other secret', async () => {
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
    await expectAll(
      names.roles.reconcilerFn,
      [
        { action: 'secretsmanager:GetSecretValue', resource: secret(`${names.secretPrefix}github-token/acme/widgets`) },
        { action: 'bedrock-agentcore:InvokeAgentRuntimeForUser', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/live` },
      ],
      'Allowed',
    );
    await expectAll(
      names.roles.reconcilerFn,
      [
        { action: 'secretsmanager:GetSecretValue', resource: secret(`${other.secretPrefix}github-token/acme/widgets`) },
        { action: 'secretsmanager:PutSecretValue', resource: secret(`${names.secretPrefix}github-token/acme/widgets`) },
      ],
      'ImplicitlyDenied',
    );
    // The API hands task starts to it
    await expectAll(
      names.roles.apiFn,
      [{ action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${names.functions.reconciler}` }],
      'Allowed',
    );
  });

  it('the reconciler reads and moves tasks, starts and stops sessions on the one runtime; nothing else', async () => {
    const role = names.roles.reconcilerFn;
    const runtime = arn.runtime(names.agentRuntime);
    await expectAll(
      role,
      [
        { action: 'dynamodb:Query', resource: `${arn.table(names.tables.tasks)}/index/status-index` },
        { action: 'dynamodb:UpdateItem', resource: arn.table(names.tables.tasks) },
        { action: 'dynamodb:GetItem', resource: arn.table(names.tables.repos) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: `${runtime}/runtime-endpoint/live` },
        { action: 'bedrock-agentcore:StopRuntimeSession', resource: runtime },
        { action: 'ssm:GetParameter', resource: arn.ssm(names.parameters.guardrails) },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'dynamodb:DeleteItem', resource: arn.table(names.tables.tasks) },
        { action: 'dynamodb:PutItem', resource: arn.table(names.tables.repos) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: runtime },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(other.agentRuntime) },
      ],
      'ImplicitlyDenied',
    );
  });

  it('the schedule may invoke the reconciler function and nothing else', async () => {
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    await expectAll(names.roles.reconcilerScheduler, [{ action: 'lambda:InvokeFunction', resource: fn(names.functions.reconciler) }], 'Allowed');
    await expectAll(names.roles.reconcilerScheduler, [{ action: 'lambda:InvokeFunction', resource: fn(names.functions.api) }], 'ImplicitlyDenied');
  });

  it('the API may start and stop sessions of its runtime (cancel calls StopRuntimeSession)', async () => {
    await expectAll(
      names.roles.apiFn,
      [{ action: 'bedrock-agentcore:StopRuntimeSession', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/live` }],
      'Allowed',
    );
  });
});

describe('Lambda roles', () => {
  it('lets the image-pointer custom resource read the pointer and re-point the one runtime, nothing more', async () => {
    const role = names.roles.imagePointerFn;
    await expectAll(
      role,
      [
        { action: 'ssm:GetParameter', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ssm:LabelParameterVersion', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ecr:DescribeImages', resource: arn.repo(names.ecrRepository) },
        { action: 'bedrock-agentcore:GetAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:UpdateAgentRuntimeEndpoint', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/live` },
        { action: 'iam:PassRole', resource: arn.role(names.roles.runtimeExecution), context: PASSED_TO_AGENTCORE },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'bedrock-agentcore:UpdateAgentRuntimeEndpoint', resource: `${arn.runtime(other.agentRuntime)}/runtime-endpoint/live` },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.imagePointer) },
        { action: 'ssm:LabelParameterVersion', resource: arn.ssm(other.parameters.imagePointer) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(other.agentRuntime) },
        { action: 'iam:PassRole', resource: arn.role('Admin'), context: PASSED_TO_AGENTCORE },
        { action: 'ecr:PutImage', resource: arn.repo(names.ecrRepository) },
      ],
      'ImplicitlyDenied',
    );
  });

  it('lets the API write GitHub tokens under its own prefix, never read one, and touch no other secret', async () => {
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
    const role = names.roles.apiFn;
    await expectAll(
      role,
      [
        { action: 'secretsmanager:CreateSecret', resource: secret(`${names.secretPrefix}github-token/acme/widgets`) },
        { action: 'secretsmanager:PutSecretValue', resource: secret(`${names.secretPrefix}github-token/acme/widgets`) },
        { action: 'secretsmanager:DescribeSecret', resource: secret(`${names.secretPrefix}widgets-token`) },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'secretsmanager:GetSecretValue', resource: secret(`${names.secretPrefix}github-token/acme/widgets`) },
        { action: 'secretsmanager:PutSecretValue', resource: secret(`${names.secretPrefix}other`) },
        { action: 'secretsmanager:CreateSecret', resource: secret(`${other.secretPrefix}github-token/acme/widgets`) },
        { action: 'secretsmanager:DeleteSecret', resource: secret(`${names.secretPrefix}github-token/acme/widgets`) },
      ],
      'ImplicitlyDenied',
    );
  });

  it('lets the API run tasks: move task rows, invoke itself and its own runtime, nothing wider', async () => {
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    await expectAll(
      names.roles.apiFn,
      [
        { action: 'dynamodb:UpdateItem', resource: arn.table(names.tables.tasks) },
        { action: 'dynamodb:Scan', resource: arn.table(names.tables.tasks) },
        { action: 'lambda:InvokeFunction', resource: fn(names.functions.api) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(names.agentRuntime) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/DEFAULT` },
        // runtimeUserId (the submitter) needs the ForUser action as well
        { action: 'bedrock-agentcore:InvokeAgentRuntimeForUser', resource: `${arn.runtime(names.agentRuntime)}/runtime-endpoint/live` },
      ],
      'Allowed',
    );
    await expectAll(
      names.roles.apiFn,
      [
        { action: 'dynamodb:DeleteItem', resource: arn.table(names.tables.tasks) },
        { action: 'lambda:InvokeFunction', resource: fn(names.functions.provisioner) },
        { action: 'lambda:InvokeFunction', resource: fn(other.functions.api) },
        { action: 'lambda:UpdateFunctionCode', resource: fn(names.functions.api) },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(other.agentRuntime) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(names.agentRuntime) },
      ],
      'ImplicitlyDenied',
    );
  });

  it('keeps the audit table append-only for the API and the provisioner', async () => {
    for (const role of [names.roles.apiFn, names.roles.provisionerFn]) {
      await expectAll(role, [{ action: 'dynamodb:PutItem', resource: arn.table(names.tables.audit) }], 'Allowed');
      await expectAll(
        role,
        [
          { action: 'dynamodb:UpdateItem', resource: arn.table(names.tables.audit) },
          { action: 'dynamodb:DeleteItem', resource: arn.table(names.tables.audit) },
        ],
        'ImplicitlyDenied',
      );
    }
  });

  it('resolves every reference in every inline policy (no placeholder left unchecked)', () => {
    for (const [, p] of resources(json, 'aws_iam_role_policy')) {
      expect(() => JSON.parse(resolveRefs(String(p.policy), json))).not.toThrow();
    }
    // The runtime role's trust resolves too, and names AgentCore for this account only.
    const [, runtimeRole] = find(json, 'aws_iam_role', 'name', names.roles.runtimeExecution);
    expect(JSON.parse(resolveRefs(String(runtimeRole.assume_role_policy), json))).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'bedrock-agentcore.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ],
    });
  });
});

describe('CI roles: infra plan, deployer and the permissions boundary', () => {
  const STATE_BUCKET = 'acme-abca-tfstate';
  const REGIONAL = { 'aws:RequestedRegion': REGION };
  const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/${names.permissionsBoundary}`;
  const tagged = (env: string) => ({ ...REGIONAL, 'aws:ResourceTag/abca:env': env });
  const creating = (env: string) => ({ ...REGIONAL, 'aws:RequestTag/abca:env': env, 'aws:TagKeys': ['abca:env'] });
  const bounded = (extra: Record<string, string> = {}) => ({ 'iam:PermissionsBoundary': boundaryArn, ...extra });
  const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
  const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const state = (key: string) => `arn:aws:s3:::${STATE_BUCKET}/${key}`;
  let withState: TfJson;

  beforeAll(async () => {
    withState = synthInfraJson(await testBundles(), { env: 'dev', stateBucket: STATE_BUCKET }).json;
  });

  const decideIn = async (tf: TfJson, roleName: string, requests: Request[]) => {
    const policy = rolePolicy(tf, roleName);
    return Promise.all(requests.map(async (r) => `${r.action} ${r.resource}: ${await decide(policy, arn.role(roleName), r)}`));
  };
  const expectIn = async (tf: TfJson, roleName: string, requests: Request[], decision: string) =>
    expect(await decideIn(tf, roleName, requests)).toEqual(requests.map((r) => `${r.action} ${r.resource}: ${decision}`));

  it('gives the plan job its own role, trusted for <env>-infra-plan only; the deployer only for <env>-infra', () => {
    const sub = (role: string) =>
      (trustPolicyOf(json, role).Statement[0]!.Condition as { StringEquals: Record<string, unknown> }).StringEquals['token.actions.githubusercontent.com:sub'];
    expect(sub(names.roles.infraPlan)).toEqual([`repo:${TEST_REPOSITORY}:environment:dev-infra-plan`]);
    expect(sub(names.roles.infraDeployer)).toEqual([`repo:${TEST_REPOSITORY}:environment:dev-infra`]);
    expect(json.output?.infra_plan_role_arn?.value).toBe(`\${${'aws_iam_role'}.${find(json, 'aws_iam_role', 'name', names.roles.infraPlan)[0]}.arn}`);
  });

  it('lets the plan role read what a plan refreshes and the state, and write nothing but the plan lock', async () => {
    const role = names.roles.infraPlan;
    await expectIn(
      withState,
      role,
      [
        { action: 'ec2:DescribeVpcs', resource: '*' },
        { action: 'iam:GetRole', resource: arn.role(names.roles.infraDeployer) },
        { action: 'iam:GetRolePolicy', resource: arn.role(names.roles.runtimeExecution) },
        { action: 'dynamodb:DescribeTable', resource: arn.table(names.tables.repos) },
        { action: 'ssm:GetParameter', resource: arn.ssm(names.parameters.platform) },
        { action: 'lambda:GetFunction', resource: fn(names.functions.api) },
        { action: 'cognito-idp:DescribeUserPool', resource: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_abc` },
        { action: 'secretsmanager:DescribeSecret', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${names.secretPrefix}x-AbCdEf` },
        { action: 's3:GetObject', resource: state('abca/dev/infra.tfstate') },
        { action: 's3:PutObject', resource: state('abca/dev/infra.tfstate.tflock') },
      ],
      'Allowed',
    );
    await expectIn(
      withState,
      role,
      [
        { action: 'iam:CreateRole', resource: arn.role(`${names.prefix}-evil`), context: bounded() },
        {
          action: 'iam:AttachRolePolicy',
          resource: arn.role(`${names.prefix}-evil`),
          context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
        },
        { action: 'iam:UpdateAssumeRolePolicy', resource: arn.role(role) },
        { action: 'iam:PutRolePolicy', resource: arn.role(names.roles.infraDeployer) },
        { action: 'lambda:UpdateFunctionCode', resource: fn(names.functions.api) },
        { action: 'lambda:InvokeFunction', resource: fn(names.functions.imagePointer) },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.guardrails) },
        { action: 'dynamodb:GetItem', resource: arn.table(names.tables.repos) },
        { action: 'dynamodb:Scan', resource: arn.table(names.tables.apiKeys) },
        {
          action: 'secretsmanager:GetSecretValue',
          resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${names.secretPrefix}github-token/a/b-AbCdEf`,
        },
        { action: 'cognito-idp:AdminAddUserToGroup', resource: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_abc`, context: tagged('dev') },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(names.agentRuntime), context: tagged('dev') },
        { action: 'ec2:CreateVpc', resource: ec2('vpc/*'), context: creating('dev') },
        { action: 's3:PutObject', resource: state('abca/dev/infra.tfstate') },
        { action: 's3:GetObject', resource: state('abca/staging/infra.tfstate') },
        { action: 'ssm:GetParameter', resource: arn.ssm(other.parameters.platform) },
        { action: 'secretsmanager:DescribeSecret', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${other.secretPrefix}x-AbCdEf` },
      ],
      'ImplicitlyDenied',
    );
    // Structurally: every action is a read, but the lock object.
    const actions = rolePolicy(withState, role).Statement.flatMap((st) => [st.Action].flat() as string[]);
    expect(actions.filter((a) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(a) && a !== 'apigateway:GET').sort()).toEqual(['s3:DeleteObject', 's3:PutObject']);
  });

  it("manages this environment's named resources and not another environment's", async () => {
    const role = names.roles.infraDeployer;
    const deveu = platformNames('deveu');
    await expectAll(
      role,
      [
        { action: 'dynamodb:CreateTable', resource: arn.table(names.tables.repos) },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.platform) },
        { action: 'lambda:UpdateFunctionCode', resource: fn(names.functions.api) },
        { action: 'lambda:AddPermission', resource: fn(names.functions.api), context: { 'lambda:Principal': 'apigateway.amazonaws.com' } },
        { action: 'lambda:InvokeFunction', resource: fn(names.functions.imagePointer) },
        { action: 'lambda:CreateEventSourceMapping', resource: '*', context: { 'lambda:FunctionArn': fn(names.functions.provisioner) } },
        { action: 'lambda:TagResource', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:0b1c2d3e-1111-2222-3333-444455556666` },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'dynamodb:DeleteTable', resource: arn.table(other.tables.repos) },
        // Names of an environment whose name starts with this one's.
        { action: 'dynamodb:DeleteTable', resource: arn.table(deveu.tables.repos) },
        { action: 'ssm:PutParameter', resource: arn.ssm(other.parameters.imagePointer) },
        { action: 'ecr:DeleteRepository', resource: arn.repo(other.ecrRepository) },
        { action: 'lambda:AddPermission', resource: fn(names.functions.api), context: { 'lambda:Principal': '*' } },
        { action: 'lambda:InvokeFunction', resource: fn(names.functions.api) },
        { action: 'lambda:UpdateFunctionCode', resource: fn(other.functions.api) },
        { action: 'lambda:CreateEventSourceMapping', resource: '*', context: { 'lambda:FunctionArn': fn(other.functions.provisioner) } },
        { action: 'ssm:GetParameter', resource: arn.ssm(other.parameters.platform) },
        { action: 'secretsmanager:DescribeSecret', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${other.secretPrefix}x-AbCdEf` },
      ],
      'ImplicitlyDenied',
    );
  });

  it('writes roles only with the stack boundary on them, attaches no AWS admin policy, and cannot change the CI roles', async () => {
    const role = names.roles.infraDeployer;
    await expectAll(
      role,
      [
        { action: 'iam:CreateRole', resource: arn.role(names.roles.runtimeExecution), context: bounded() },
        { action: 'iam:PutRolePolicy', resource: arn.role(names.roles.apiFn), context: bounded() },
        { action: 'iam:UpdateAssumeRolePolicy', resource: arn.role(names.roles.apiFn), context: bounded() },
        {
          action: 'iam:AttachRolePolicy',
          resource: arn.role(names.roles.apiGatewayLogs),
          context: bounded({ 'iam:PolicyARN': 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' }),
        },
        { action: 'iam:PassRole', resource: arn.role(names.roles.runtimeExecution), context: PASSED_TO_AGENTCORE },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        // A role without the boundary, or with another one.
        { action: 'iam:CreateRole', resource: arn.role(`${names.prefix}-escalate`) },
        {
          action: 'iam:CreateRole',
          resource: arn.role(`${names.prefix}-escalate`),
          context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' },
        },
        {
          action: 'iam:AttachRolePolicy',
          resource: arn.role(`${names.prefix}-escalate`),
          context: bounded({ 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }),
        },
        {
          action: 'iam:AttachRolePolicy',
          resource: arn.role(names.roles.apiFn),
          context: bounded({ 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/anything` }),
        },
        { action: 'iam:DeleteRolePermissionsBoundary', resource: arn.role(names.roles.runtimeExecution), context: bounded() },
        { action: 'iam:CreatePolicyVersion', resource: boundaryArn },
        { action: 'iam:PassRole', resource: arn.role(names.roles.runtimeExecution), context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        { action: 'iam:CreateRole', resource: arn.role('Admin'), context: bounded() },
      ],
      'ImplicitlyDenied',
    );
    await expectAll(
      role,
      [
        // Its own trust and policy, and the other CI roles: an administrator's change only.
        { action: 'iam:UpdateAssumeRolePolicy', resource: arn.role(role), context: bounded() },
        { action: 'iam:PutRolePolicy', resource: arn.role(role), context: bounded() },
        { action: 'iam:PutRolePolicy', resource: arn.role(names.roles.infraPlan), context: bounded() },
        {
          action: 'iam:AttachRolePolicy',
          resource: arn.role(names.roles.runtimePublisher),
          context: bounded({ 'iam:PolicyARN': 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' }),
        },
        { action: 'iam:PassRole', resource: arn.role(names.roles.infraDeployer), context: PASSED_TO_AGENTCORE },
      ],
      'ExplicitlyDenied',
    );
  });

  it("touches generated-id services only through this environment's tag", async () => {
    const role = names.roles.infraDeployer;
    const pool = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_abc`;
    const prodRuntime = arn.runtime(platformNames('prod').agentRuntime);
    await expectAll(
      role,
      [
        { action: 'ec2:CreateVpc', resource: ec2('vpc/*'), context: creating('dev') },
        { action: 'ec2:CreateTags', resource: ec2('vpc/vpc-1'), context: { ...creating('dev'), 'ec2:CreateAction': 'CreateVpc' } },
        { action: 'ec2:AuthorizeSecurityGroupEgress', resource: ec2('security-group/sg-1'), context: tagged('dev') },
        { action: 'cognito-idp:CreateUserPool', resource: '*', context: creating('dev') },
        { action: 'cognito-idp:UpdateUserPool', resource: pool, context: tagged('dev') },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(names.agentRuntime), context: tagged('dev') },
        {
          action: 'route53resolver:UpdateFirewallRuleGroupAssociation',
          resource: `arn:aws:route53resolver:${REGION}:${ACCOUNT}:firewall-rule-group-association/rslvr-frgassoc-1`,
          context: tagged('dev'),
        },
        { action: 'wafv2:UpdateWebACL', resource: `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/${names.webAcl}/1`, context: tagged('dev') },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        // Another environment's admin group, runtime, VPC; untagged resources; other regions.
        { action: 'cognito-idp:AdminAddUserToGroup', resource: pool, context: tagged('staging') },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: prodRuntime, context: tagged('prod') },
        { action: 'ec2:DeleteVpc', resource: ec2('vpc/vpc-2'), context: tagged('staging') },
        { action: 'ec2:DeleteVpc', resource: ec2('vpc/vpc-3'), context: REGIONAL },
        {
          action: 'ec2:AuthorizeSecurityGroupEgress',
          resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-1`,
          context: { ...tagged('dev'), 'aws:RequestedRegion': 'eu-west-1' },
        },
        // Tagging someone else's resource into this environment after the fact.
        { action: 'ec2:CreateTags', resource: ec2('vpc/vpc-2'), context: { ...creating('dev'), 'aws:ResourceTag/abca:env': 'staging' } },
        {
          action: 'route53resolver:UpdateFirewallDomains',
          resource: `arn:aws:route53resolver:${REGION}:${ACCOUNT}:firewall-domain-list/rslvr-fdl-9`,
          context: tagged('staging'),
        },
      ],
      'ImplicitlyDenied',
    );
    await expectAll(
      role,
      [
        { action: 'ec2:CreateVpc', resource: ec2('vpc/*'), context: creating('staging') },
        // Re-tagging its own resource into another environment.
        { action: 'ec2:CreateTags', resource: ec2('vpc/vpc-1'), context: { ...creating('staging'), 'aws:ResourceTag/abca:env': 'dev' } },
        { action: 'cognito-idp:TagResource', resource: pool, context: { ...creating('staging'), 'aws:ResourceTag/abca:env': 'dev' } },
      ],
      'ExplicitlyDenied',
    );
  });

  it('puts the boundary on every role but the CI roles; under it, even "*" cannot leave the environment or touch IAM', async () => {
    const [boundaryId, boundary] = find(json, 'aws_iam_policy', 'name', names.permissionsBoundary);
    const ci = [names.roles.infraDeployer, names.roles.infraPlan, names.roles.runtimePublisher];
    for (const [, r] of resources(json, 'aws_iam_role')) {
      expect([r.name, r.permissions_boundary]).toEqual([r.name, ci.includes(String(r.name)) ? undefined : `\${aws_iam_policy.${boundaryId}.arn}`]);
    }
    const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const ceiling = JSON.parse(resolveRefs(String(boundary.policy), json));
    const principal = arn.role(names.roles.runtimeExecution);
    const under = async (requests: Request[]) =>
      Promise.all(requests.map(async (r) => `${r.action} ${r.resource}: ${await decide(everything, principal, r, { boundary: ceiling })}`));
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
    const denied: Request[] = [
      { action: 'iam:CreateRole', resource: arn.role(`${names.prefix}-x`), context: bounded() },
      { action: 'iam:PutRolePolicy', resource: arn.role(names.roles.runtimeExecution) },
      { action: 'iam:PassRole', resource: arn.role(names.roles.infraDeployer), context: PASSED_TO_AGENTCORE },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::any-bucket/any-key' },
      { action: 'secretsmanager:GetSecretValue', resource: secret(`${other.secretPrefix}github-token/a/b`) },
      { action: 'dynamodb:PutItem', resource: arn.table(other.tables.audit) },
      { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(other.agentRuntime) },
      { action: 'ec2:CreateVpc', resource: ec2('vpc/*'), context: creating('dev') },
    ];
    expect(await under(denied)).toEqual(
      denied.map((r) => `${r.action} ${r.resource}: ${r.action === 'iam:PassRole' ? 'ExplicitlyDenied' : 'ImplicitlyDenied'}`),
    );
    const allowed: Request[] = [
      { action: 'dynamodb:UpdateItem', resource: arn.table(names.tables.tasks) },
      { action: 'secretsmanager:GetSecretValue', resource: secret(`${names.secretPrefix}github-token/a/b`) },
      { action: 'bedrock:InvokeModel', resource: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-x' },
      { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(names.agentRuntime) },
    ];
    expect(await under(allowed)).toEqual(allowed.map((r) => `${r.action} ${r.resource}: Allowed`));
  });

  it("lets the API re-check a user's groups and manage users in its own user pool only (API keys, /v1/users)", async () => {
    const pool = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_abc`;
    await expectAll(
      names.roles.apiFn,
      [{ action: 'cognito-idp:AdminListGroupsForUser', resource: pool, context: { 'aws:ResourceTag/abca:env': 'dev' } }],
      'Allowed',
    );
    await expectAll(
      names.roles.apiFn,
      [
        { action: 'cognito-idp:AdminListGroupsForUser', resource: pool, context: { 'aws:ResourceTag/abca:env': 'staging' } },
        { action: 'cognito-idp:AdminAddUserToGroup', resource: pool, context: { 'aws:ResourceTag/abca:env': 'staging' } },
        { action: 'cognito-idp:AdminDeleteUser', resource: pool, context: { 'aws:ResourceTag/abca:env': 'staging' } },
        { action: 'cognito-idp:DeleteUserPool', resource: pool, context: { 'aws:ResourceTag/abca:env': 'dev' } },
      ],
      'ImplicitlyDenied',
    );
  });

  it('leaves every bounded role all it is granted today (the boundary cuts nothing a role uses)', async () => {
    const [, boundary] = find(json, 'aws_iam_policy', 'name', names.permissionsBoundary);
    const ceiling = JSON.parse(resolveRefs(String(boundary.policy), json));
    const bounded = resources(json, 'aws_iam_role').filter(([, r]) => r.permissions_boundary);
    const cut: string[] = [];
    for (const [, r] of bounded) {
      const roleName = String(r.name);
      if (!resources(json, 'aws_iam_role_policy').some(([, p]) => p.role === `\${aws_iam_role.${find(json, 'aws_iam_role', 'name', roleName)[0]}.name}`))
        continue;
      const granted = rolePolicy(json, roleName);
      for (const st of granted.Statement.filter((s) => s.Effect === 'Allow')) {
        // Every resource of the environment carries its tag (the provider's default_tags).
        const context: Record<string, string> = Object.fromEntries([
          ['aws:ResourceTag/abca:env', 'dev'],
          ...Object.values((st.Condition ?? {}) as Record<string, Record<string, string | string[]>>).flatMap((kv) =>
            Object.entries(kv).map(([k, v]) => [k, [v].flat()[0]!]),
          ),
        ]);
        // A policy variable (`${aws:PrincipalTag/task_id}`): a session carrying that tag, addressing its value.
        for (const [k, v] of Object.entries(context)) {
          const tag = /^\$\{(aws:PrincipalTag\/[^}]+)\}$/.exec(v);
          if (tag) [context[tag[1]!], context[k]] = ['t', 't'];
        }
        for (const action of [st.Action].flat() as string[]) {
          for (const resource of [st.Resource].flat() as string[]) {
            // A concrete resource the statement names ("log-group:g:*" covers the group's streams).
            const req = { action, resource: resource === '*' ? '*' : resource.replace(/:\*$/, ':log-stream:x').replace(/\*/g, 'x'), context };
            // Pairs AWS would not evaluate (an action that only takes "*", or not that resource type)
            // are not granted by that statement anyway.
            const decision = await decide(granted, arn.role(roleName), req, { boundary: ceiling }).catch((e: Error) =>
              /must\.use\.wildcard|no\.resource\.types/.test(e.message) ? 'Allowed' : e.message,
            );
            if (decision !== 'Allowed') cut.push(`${roleName} ${action} ${req.resource}: ${decision}`);
          }
        }
      }
    }
    expect(cut).toEqual([]);
  });
});

describe('grants the suite never uses: each one says why it stays (test/infra/iam-unused-grants.ts)', () => {
  it('every reason names a statement the synthesized stack has (a dropped grant takes its row with it)', () => {
    // Prepare
    const policies = compilePolicies(json);
    const statements = new Set<string>();
    for (const role of Object.values(policies.roles)) {
      const suffix = role.name.replace(/^abca-dev-/, '');
      for (const { name, policy } of role.identity) {
        statements.add(`${suffix} ${name} *`);
        policy.Statement.forEach((s, i) => statements.add(`${suffix} ${name} ${typeof s.Sid === 'string' ? s.Sid : String(i)}`));
      }
    }
    // Act
    const stale = UNUSED_GRANT_REASONS.filter((r) => !statements.has(`${r.role} ${r.policy} ${r.sid}`)).map((r) => `${r.role} ${r.policy} ${r.sid}`);
    // Assess: AssumePromotionSourceRoles exists only with promotionSourceRoleArns set.
    expect(stale).toEqual(['ci-publisher publish-runtime AssumePromotionSourceRoles']);
    expect(UNUSED_GRANT_REASONS.every((r) => r.reason.length > 20)).toBe(true);
  });

  it('a grant no row explains is reported; one a row explains is not', () => {
    // Act
    const explained = reasonFor('abca-qa-runtime-exec', 'runtime', 'Models');
    const whole = reasonFor('abca-dev-ci-infra', 'deploy-infra', 'ReadEverything');
    const unexplained = reasonFor('abca-dev-api-fn', 'handler', 'Tasks');
    // Assess
    expect(explained?.reason).toContain('Bedrock');
    expect(whole?.sid).toBe('*');
    expect(unexplained).toBeUndefined();
  });
});
