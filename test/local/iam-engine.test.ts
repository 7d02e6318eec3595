/**
 * The enforcement engine's documented behaviours, without a server: identification of requests
 * per protocol, compilation of the synthesized policies (attachments, managed policies,
 * boundaries, resource policies), evaluation wording, sessions learnt from AssumeRole (transitive
 * tags), role chaining through trust policies, AccessDenied shapes, and the unused-grants report.
 */
import {
  Authorizer,
  accessDenied,
  compilePolicies,
  Enforcer,
  Environments,
  identify,
  sessionFromAssumeRole,
  unusedGrants,
  type TfJson,
} from '../../src/local/iam';
import type { Session } from '../../src/local/iam/engine';

const ACCOUNT = '123456789012';
const sign = (service: string, key = 'ASIAEXAMPLE') => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261203/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
});
const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A small synthesized stack: one role with an inline policy, an attached one, a managed one and a boundary. */
function stack(): TfJson {
  return {
    terraform: {},
    provider: {},
    resource: {
      aws_iam_role: {
        worker: {
          name: 'worker',
          assume_role_policy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
          permissions_boundary: '${aws_iam_policy.boundary.arn}',
        },
        chained: {
          name: 'chained',
          assume_role_policy: doc({ Effect: 'Allow', Principal: { AWS: '${aws_iam_role.worker.arn}' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }),
        },
        locked: { name: 'locked', assume_role_policy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }) },
      },
      aws_iam_policy: {
        boundary: {
          name: 'boundary',
          policy: doc({ Effect: 'Allow', Action: ['dynamodb:*', 'ecr:*', 'sts:AssumeRole', 'sts:TagSession', 'logs:*'], Resource: '*' }),
        },
        extra: { name: 'extra', policy: doc({ Sid: 'Pull', Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '${aws_ecr_repository.repo.arn}' }) },
      },
      aws_iam_role_policy: {
        inline: {
          name: 'inline',
          role: '${aws_iam_role.worker.name}',
          policy: doc(
            { Sid: 'Rows', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: '${aws_dynamodb_table.t.arn}' },
            { Sid: 'NoDelete', Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: '*' },
            {
              Sid: 'Chain',
              Effect: 'Allow',
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Resource: ['${aws_iam_role.chained.arn}', '${aws_iam_role.locked.arn}'],
            },
            { Sid: 'Ssm', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' },
            { Sid: 'DeleteTooButDenied', Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: '${aws_dynamodb_table.t.arn}' },
          ),
        },
      },
      aws_iam_role_policy_attachment: {
        extra: { role: '${aws_iam_role.worker.name}', policy_arn: '${aws_iam_policy.extra.arn}' },
        managed: { role: 'worker', policy_arn: 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' },
      },
      aws_dynamodb_table: { t: { name: 'rows', hash_key: 'pk' } },
      aws_ecr_repository: { repo: { name: 'images' } },
      aws_ecr_repository_policy: {
        repo: {
          repository: '${aws_ecr_repository.repo.name}',
          policy: doc({ Sid: 'Other', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'ecr:BatchGetImage' }),
        },
      },
    },
  };
}

const WORKER: Session = { roleArn: `arn:aws:iam::${ACCOUNT}:role/worker`, sessionName: 's', tags: {} };
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/rows`;

describe('compiling the synthesized policies', () => {
  it('gathers inline, attached, managed policies, the boundary, the trust policy, repository policies and key schemas', () => {
    // Act
    const c = compilePolicies(stack());
    const worker = c.roles[WORKER.roleArn]!;
    // Assess
    expect(worker.identity.map((p) => p.name)).toEqual(['inline', 'extra', 'AmazonAPIGatewayPushToCloudWatchLogs']);
    expect(worker.boundary?.name).toBe('boundary');
    expect(worker.identity[1]!.policy.Statement[0]!.Resource).toBe(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/images`);
    expect(c.roles[`arn:aws:iam::${ACCOUNT}:role/chained`]!.trust.Statement[0]!.Principal).toEqual({ AWS: WORKER.roleArn });
    expect(Object.keys(c.resourcePolicies)).toEqual([`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/images`]);
    expect(c.tables).toEqual({ rows: { hashKey: 'pk' } });
  });

  it('takes the values AWS would generate from the caller (the runtime the local bootstrap created)', () => {
    // Prepare
    const json = stack();
    json.resource.aws_iam_role_policy!.inline!.policy = doc({
      Effect: 'Allow',
      Action: 'bedrock-agentcore:GetAgentRuntime',
      Resource: '${aws_bedrockagentcore_agent_runtime.rt.agent_runtime_arn}',
    });
    json.resource.aws_bedrockagentcore_agent_runtime = { rt: { agent_runtime_name: 'abca_dev' } };
    const real = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/abca_dev-XyZ0123456`;
    // Act
    const c = compilePolicies(json, { account: ACCOUNT, region: 'us-east-1', refs: { 'aws_bedrockagentcore_agent_runtime.rt.agent_runtime_arn': real } });
    // Assess
    expect(c.roles[WORKER.roleArn]!.identity[0]!.policy.Statement[0]!.Resource).toBe(real);
  });

  it('refuses an attached managed policy it does not know, rather than leave it out', () => {
    // Prepare
    const json = stack();
    json.resource.aws_iam_role_policy_attachment!.managed!.policy_arn = 'arn:aws:iam::aws:policy/AdministratorAccess';
    // Act / Assess
    expect(() => compilePolicies(json)).toThrow('arn:aws:iam::aws:policy/AdministratorAccess is not a policy of the stack');
  });
});

describe('evaluation', () => {
  let authorizer: Authorizer;
  beforeAll(async () => {
    authorizer = await Authorizer.create(compilePolicies(stack()));
  });

  it('allows what an identity policy grants inside the boundary, and says which policy type refused otherwise', async () => {
    // Act
    const get = await authorizer.decide(WORKER, { action: 'dynamodb:GetItem', resource: TABLE, context: {} });
    const ssm = await authorizer.decide(WORKER, { action: 'ssm:GetParameter', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/p`, context: {} });
    const del = await authorizer.decide(WORKER, { action: 'dynamodb:DeleteItem', resource: TABLE, context: {} });
    const scan = await authorizer.decide(WORKER, { action: 'dynamodb:Scan', resource: TABLE, context: {} });
    // Assess
    expect(get.decision).toBe('Allowed');
    expect(ssm).toMatchObject({ decision: 'ImplicitlyDenied', reason: 'because no permissions boundary allows the ssm:GetParameter action' });
    expect(del).toMatchObject({ decision: 'ExplicitlyDenied', reason: 'with an explicit deny in an identity-based policy' });
    expect(scan).toMatchObject({ decision: 'ImplicitlyDenied', reason: 'because no identity-based policy allows the dynamodb:Scan action' });
  });

  it('denies a role the stack does not have', async () => {
    // Act
    const v = await authorizer.decide(
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/ghost`, sessionName: 's', tags: {} },
      { action: 'dynamodb:GetItem', resource: TABLE, context: {} },
    );
    // Assess
    expect(v).toMatchObject({ decision: 'ImplicitlyDenied', reason: `the role arn:aws:iam::${ACCOUNT}:role/ghost is not a role of the synthesized stack` });
  });

  it('refuses, when built, a policy IAM would refuse', async () => {
    // Prepare
    const json = stack();
    json.resource.aws_iam_role_policy!.inline!.policy = doc({ Effect: 'Allow', Action: 'dynamodb:GetItem' });
    // Act / Assess
    await expect(Authorizer.create(compilePolicies(json))).rejects.toThrow('role worker: a policy IAM would refuse');
  });
});

describe('the enforcer', () => {
  let enforcer: Enforcer;
  beforeEach(async () => {
    enforcer = new Enforcer(await Authorizer.create(compilePolicies(stack())));
  });
  const assumeRequest = (key: string, role: string, tags: Record<string, string> = {}, transitive: string[] = []) => {
    const form = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: role, RoleSessionName: 'chain' });
    Object.entries(tags).forEach(([k, v], i) => {
      form.set(`Tags.member.${i + 1}.Key`, k);
      form.set(`Tags.member.${i + 1}.Value`, v);
    });
    transitive.forEach((k, i) => form.set(`TransitiveTagKeys.member.${i + 1}`, k));
    return {
      method: 'POST',
      url: '/',
      headers: { ...sign('sts', key), 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
    };
  };
  const answer = (key: string) =>
    Buffer.from(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>`);

  it('leaves the bootstrap credentials unrestricted, and learns sessions from the AssumeRole answers they get', async () => {
    // Prepare
    const req = assumeRequest('testing', WORKER.roleArn, { team: 'a' }, ['team']);
    // Act
    const { outcome, identified } = await enforcer.check(req);
    await enforcer.observe(identified, 200, answer('ASIAWORKER'));
    // Assess
    expect(outcome).toEqual({ allowed: true });
    expect(enforcer.sessions.get('ASIAWORKER')).toEqual({ roleArn: WORKER.roleArn, sessionName: 'chain', tags: { team: 'a' }, transitiveTagKeys: ['team'] });
  });

  it('lets a session chain into a role that trusts it, carrying its transitive tags, and refuses one whose trust policy does not', async () => {
    // Prepare
    enforcer.sessions.set('ASIAWORKER', { ...WORKER, tags: { team: 'a' }, transitiveTagKeys: ['team'] });
    const chained = `arn:aws:iam::${ACCOUNT}:role/chained`;
    const req = assumeRequest('ASIAWORKER', chained, { task: 't1' });
    // Act
    const allowed = await enforcer.check(req);
    await enforcer.observe(allowed.identified, 200, answer('ASIACHAINED'));
    const untrusted = await enforcer.check(assumeRequest('ASIAWORKER', `arn:aws:iam::${ACCOUNT}:role/locked`));
    const ungranted = await enforcer.check(assumeRequest('ASIACHAINED', WORKER.roleArn));
    // Assess
    expect(allowed.outcome.allowed).toBe(true);
    expect(enforcer.sessions.get('ASIACHAINED')?.tags).toEqual({ task: 't1', team: 'a' });
    expect(untrusted.outcome).toMatchObject({ allowed: false, message: expect.stringContaining('because the role trust policy does not allow it') });
    expect(ungranted.outcome).toMatchObject({
      allowed: false,
      message: expect.stringContaining('because no identity-based policy allows the sts:AssumeRole action'),
    });
  });

  it('refuses a session an operation the table does not know', async () => {
    // Prepare
    enforcer.sessions.set('ASIAWORKER', WORKER);
    // Act
    const { outcome } = await enforcer.check({
      method: 'POST',
      url: '/',
      headers: { ...sign('dynamodb', 'ASIAWORKER'), 'x-amz-target': 'DynamoDB_20120810.DeleteTable' },
      body: Buffer.from('{"TableName":"rows"}'),
    });
    // Assess
    expect(outcome).toMatchObject({ allowed: false, message: expect.stringContaining('no mapping for this operation') });
  });

  it('does not learn a session from a failed AssumeRole', async () => {
    // Act
    await enforcer.observe({ service: 'sts', operation: 'AssumeRole', protocol: 'query', params: { RoleArn: WORKER.roleArn } }, 403, answer('ASIANO'));
    // Assess
    expect(enforcer.sessions.has('ASIANO')).toBe(false);
    expect(sessionFromAssumeRole({ RoleArn: WORKER.roleArn }, '<Error/>')).toBeUndefined();
  });
});

describe('identifying requests', () => {
  it('reads S3 path-style requests: bucket, key and sub-resource', () => {
    expect(identify({ method: 'PUT', url: '/state/infra/x.tfstate', headers: sign('s3'), body: Buffer.alloc(0) })).toMatchObject({
      service: 's3',
      operation: 'PutObject',
      params: { Bucket: 'state', Key: 'infra/x.tfstate' },
    });
    expect(identify({ method: 'GET', url: '/state?versioning', headers: sign('s3'), body: Buffer.alloc(0) })).toMatchObject({
      operation: 'GetBucketVersioning',
    });
    expect(identify({ method: 'HEAD', url: '/state', headers: sign('s3'), body: Buffer.alloc(0) })).toMatchObject({ operation: 'HeadBucket' });
  });

  it('reads the AgentCore data plane: the URL-encoded runtime ARN in the path and the qualifier', () => {
    // Prepare
    const arn = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/abca-x`;
    // Act
    const found = identify({
      method: 'POST',
      url: `/runtimes/${encodeURIComponent(arn)}/invocations?qualifier=live`,
      headers: sign('bedrock-agentcore'),
      body: Buffer.from('{}'),
    });
    // Assess
    expect(found).toMatchObject({
      service: 'bedrock-agentcore',
      operation: 'InvokeAgentRuntime',
      params: { agentRuntimeArn: arn, qualifier: 'live' },
      accessKeyId: 'ASIAEXAMPLE',
    });
  });

  it('tells the two AgentCore planes apart by route and leaves unsigned requests alone', () => {
    expect(
      identify({ method: 'GET', url: '/runtimes/abca-x/runtime-endpoints/live/', headers: sign('bedrock-agentcore'), body: Buffer.alloc(0) }),
    ).toMatchObject({
      service: 'bedrock-agentcore-control',
      operation: 'GetAgentRuntimeEndpoint',
      params: { agentRuntimeId: 'abca-x', endpointName: 'live' },
    });
    expect(identify({ method: 'POST', url: '/moto-api/reset', headers: {}, body: Buffer.alloc(0) })).toBeUndefined();
  });
});

describe("AWS's AccessDenied answer per protocol", () => {
  it.each([
    ['dynamodb', 'json', 400, '"__type":"AccessDeniedException"'],
    ['ssm', 'json', 400, '"__type":"AccessDeniedException"'],
    ['bedrock-agentcore-control', 'rest-json', 403, '"message":"m"'],
    ['sts', 'query', 403, '<Code>AccessDenied</Code>'],
    ['ec2', 'query', 403, '<Code>UnauthorizedOperation</Code>'],
    ['s3', 'rest-xml', 403, '<Code>AccessDenied</Code>'],
  ] as const)('%s (%s): HTTP %d with %s', (service, protocol, status, body) => {
    // Act
    const a = accessDenied({ service, protocol }, 'm');
    // Assess
    expect(a.status).toBe(status);
    expect(a.body).toContain(body);
    if (protocol === 'rest-json') expect(a.headers['x-amzn-errortype']).toBe('AccessDeniedException');
  });
});

describe('the unused-grants report', () => {
  it('lists each statement grant no allowed request matched', () => {
    // Prepare
    const policies = compilePolicies(stack());
    // Act
    const unused = unusedGrants(policies, [{ roleArn: WORKER.roleArn, action: 'dynamodb:GetItem', resource: TABLE }]);
    const worker = unused.filter((u) => u.role === 'worker').map((u) => `${u.statement} ${u.action}`);
    // Assess
    expect(worker).toContain('Rows dynamodb:PutItem');
    expect(worker).not.toContain('Rows dynamodb:GetItem');
    expect(worker).toContain('Pull ecr:BatchGetImage');
    expect(worker).not.toContain('NoDelete dynamodb:DeleteItem'); // a Deny grants nothing
  });
});

describe('environments learnt as they appear (Environments, Authorizer.extend)', () => {
  /** An environment's stack: a role reading its own table, invoking its own runtime, listing groups in pools tagged with its name. */
  const envStack = (env: string): TfJson => ({
    terraform: {},
    provider: {},
    resource: {
      aws_iam_role: {
        worker: {
          name: `abca-${env}-worker`,
          assume_role_policy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
        },
      },
      aws_iam_role_policy: {
        p: {
          name: 'handler',
          role: '${aws_iam_role.worker.name}',
          policy: doc(
            { Sid: 'Rows', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '${aws_dynamodb_table.t.arn}' },
            {
              Sid: 'Runtime',
              Effect: 'Allow',
              Action: 'bedrock-agentcore:GetAgentRuntime',
              Resource: '${aws_bedrockagentcore_agent_runtime.r.agent_runtime_arn}',
            },
            {
              Sid: 'Groups',
              Effect: 'Allow',
              Action: 'cognito-idp:AdminListGroupsForUser',
              Resource: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/*',
              Condition: { StringEquals: { 'aws:ResourceTag/abca:env': env } },
            },
          ),
        },
      },
      aws_dynamodb_table: { t: { name: `abca-${env}-rows`, hash_key: 'pk' } },
      aws_bedrockagentcore_agent_runtime: { r: { agent_runtime_name: `abca_${env}_agent` } },
    },
  });
  const json = (target: string, body: unknown, key: string, service: string) => ({
    method: 'POST',
    url: '/',
    headers: { ...sign(service, key), 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  });
  const getRow = (env: string, key: string) => json('DynamoDB_20120810.GetItem', { TableName: `abca-${env}-rows`, Key: { pk: { S: 'x' } } }, key, 'dynamodb');
  const listGroups = (pool: string, key: string) =>
    json('AWSCognitoIdentityProviderService.AdminListGroupsForUser', { UserPoolId: pool, Username: 'u' }, key, 'cognito-idp');
  const assume = (roleArn: string) => ({
    method: 'POST',
    url: '/',
    headers: { ...sign('sts', 'testing'), 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(new URLSearchParams({ Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 's' }).toString()),
  });
  const answer = (key: string) =>
    Buffer.from(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>`);
  const role = (env: string) => `arn:aws:iam::${ACCOUNT}:role/abca-${env}-worker`;

  let enforcer: Enforcer;
  const synthesized: string[] = [];
  beforeEach(async () => {
    synthesized.length = 0;
    const authorizer = await Authorizer.create({ account: ACCOUNT, region: 'us-east-1', roles: {}, resourcePolicies: {}, tables: {} });
    const environments = new Environments(
      (env) => {
        synthesized.push(env);
        return envStack(env);
      },
      { account: ACCOUNT, region: 'us-east-1' },
    );
    enforcer = new Enforcer(authorizer, undefined, undefined, environments);
  });

  async function session(env: string, key: string): Promise<void> {
    const { identified } = await enforcer.check(assume(role(env)));
    await enforcer.observe(identified, 200, answer(key));
  }

  it("compiles an environment the first time one of its roles is assumed, once, and judges each session by its own environment's policies", async () => {
    // Act
    await session('alpha', 'ASIAALPHA');
    await session('beta', 'ASIABETA');
    await session('alpha', 'ASIAALPHA2');
    const own = await enforcer.check(getRow('alpha', 'ASIAALPHA'));
    const other = await enforcer.check(getRow('beta', 'ASIAALPHA'));
    const betaOwn = await enforcer.check(getRow('beta', 'ASIABETA'));
    // Assess
    expect(synthesized).toEqual(['alpha', 'beta']);
    expect([own.outcome.allowed, other.outcome.allowed, betaOwn.outcome.allowed]).toEqual([true, false, true]);
  });

  it('compiles an environment again when its runtime is created: the runtime grant then names the ARN AWS generated', async () => {
    // Prepare
    await session('alpha', 'ASIAALPHA');
    const real = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/abca_alpha_agent-Q1w2E3r4T5`;
    const get = { method: 'GET', url: '/runtimes/abca_alpha_agent-Q1w2E3r4T5/', headers: sign('bedrock-agentcore', 'ASIAALPHA'), body: Buffer.alloc(0) };
    const before = await enforcer.check(get);
    // Act
    await enforcer.observe(
      { service: 'bedrock-agentcore-control', operation: 'CreateAgentRuntime', protocol: 'rest-json', params: { agentRuntimeName: 'abca_alpha_agent' } },
      201,
      Buffer.from(JSON.stringify({ agentRuntimeArn: real, agentRuntimeId: 'abca_alpha_agent-Q1w2E3r4T5' })),
    );
    const after = await enforcer.check(get);
    // Assess
    expect(before.outcome.allowed).toBe(false);
    expect(after.outcome.allowed).toBe(true);
  });

  it("supplies aws:ResourceTag/* from the tags a user pool was created with: allowed in the pool tagged with the session's environment only", async () => {
    // Prepare
    await session('alpha', 'ASIAALPHA');
    const created = (id: string, env: string) =>
      enforcer.observe(
        { service: 'cognito-idp', operation: 'CreateUserPool', protocol: 'json', params: { PoolName: id, UserPoolTags: { 'abca:env': env } } },
        200,
        Buffer.from(JSON.stringify({ UserPool: { Id: id } })),
      );
    await created('us-east-1_alpha', 'alpha');
    await created('us-east-1_beta', 'beta');
    // Act
    const own = await enforcer.check(listGroups('us-east-1_alpha', 'ASIAALPHA'));
    const other = await enforcer.check(listGroups('us-east-1_beta', 'ASIAALPHA'));
    const untagged = await enforcer.check(listGroups('us-east-1_never', 'ASIAALPHA'));
    // Assess
    expect([own.outcome.allowed, other.outcome.allowed, untagged.outcome.allowed]).toEqual([true, false, false]);
  });
});
