/**
 * The synthesized IAM policies, evaluated with a real IAM policy simulator
 * (@cloud-copilot/iam-simulate) after Terraform references are resolved to the ARNs AWS would give
 * this environment's resources.
 */
import { platformNames } from '../../src/platform/names';
import { decide, type Request } from './support/iam';
import { ACCOUNT, REGION, find, resolveRefs, resources, rolePolicy, synthInfraJson, testBundles, trustPolicyOf, TEST_REPOSITORY, type TfJson } from './support/synth';

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

describe('infra deployer role', () => {
  const role = names.roles.infraDeployer;

  it('is trusted for the <env>-infra-plan and <env>-infra GitHub environments only', () => {
    // Act
    const condition = trustPolicyOf(json, role).Statement[0]!.Condition as { StringEquals: Record<string, unknown> };
    // Assess
    expect(condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual([
      `repo:${TEST_REPOSITORY}:environment:dev-infra-plan`,
      `repo:${TEST_REPOSITORY}:environment:dev-infra`,
    ]);
  });

  it("manages this environment's named resources and not another environment's", async () => {
    await expectAll(
      role,
      [
        { action: 'dynamodb:CreateTable', resource: arn.table(names.tables.repos) },
        { action: 'ssm:PutParameter', resource: arn.ssm(names.parameters.platform) },
        { action: 'iam:CreateRole', resource: arn.role(names.roles.runtimeExecution) },
        { action: 'lambda:UpdateFunctionCode', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${names.functions.api}` },
      ],
      'Allowed',
    );
    await expectAll(
      role,
      [
        { action: 'dynamodb:DeleteTable', resource: arn.table(other.tables.repos) },
        { action: 'ssm:PutParameter', resource: arn.ssm(other.parameters.imagePointer) },
        { action: 'iam:CreateRole', resource: arn.role('Admin') },
        { action: 'iam:PutRolePolicy', resource: arn.role(other.roles.infraDeployer) },
        { action: 'ecr:DeleteRepository', resource: arn.repo(other.ecrRepository) },
      ],
      'ImplicitlyDenied',
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
    expect(find(json, 'aws_iam_role', 'name', names.roles.runtimeExecution)).toBeDefined();
  });
});
