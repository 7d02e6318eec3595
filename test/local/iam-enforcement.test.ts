/**
 * IAM enforcement against a real moto launched by the launcher with the synthesized stack's
 * policies: sessions of the stack's roles (from moto's STS AssumeRole) are allowed what their
 * policies grant and refused the rest with AWS's AccessDenied in each protocol's shape; the
 * bootstrap credentials are not restricted; session tags reach aws:PrincipalTag conditions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BedrockAgentCoreControlClient, GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { compilePolicies, unusedGrants, type CompiledPolicies, type DecisionRecord } from '../../src/local/iam';
import { startMoto, type MotoServer } from '../../src/local/moto';
import { platformNames } from '../../src/platform/names';
import { synthInfraJson, testBundles } from '../infra/support';

const names = platformNames('dev');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const TASKS_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${names.tables.tasks}`;
// The shape of the per-task session role another issue adds: a task's session may touch only its
// own task row (its partition key equals the session's task_id tag).
const TASK_ROLE = 'abca-dev-task-session';

let server: MotoServer;
let policies: CompiledPolicies;
const logFile = path.join(os.tmpdir(), `abca-iam-decisions-${process.pid}.jsonl`);
const ADMIN = { accessKeyId: 'testing', secretAccessKey: 'testing' };
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const config = (credentials: Creds) => ({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
// Every client this file makes, destroyed at the end so no keep-alive socket outlives the suite.
const clients: { destroy(): void }[] = [];
function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}

async function assume(role: string, tags: Record<string, string> = {}, as: Creds = ADMIN): Promise<Creds> {
  const sts = track(new STSClient(config(as)));
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: `${role}-test`, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

const denial = (role: string, action: string, resource: string) =>
  `User: arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${role}-test is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

beforeAll(async () => {
  policies = compilePolicies(synthInfraJson(await testBundles(), { env: 'dev' }).json);
  policies.roles[roleArn(TASK_ROLE)] = {
    name: TASK_ROLE,
    arn: roleArn(TASK_ROLE),
    trust: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn(names.roles.runtimeExecution) }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    },
    identity: [
      {
        name: 'own-task-row',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OwnTaskRow',
              Effect: 'Allow',
              Action: ['dynamodb:GetItem'],
              Resource: TASKS_ARN,
              Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:PrincipalTag/task_id}'] } },
            },
          ],
        },
      },
    ],
  };
  fs.rmSync(logFile, { force: true });
  server = await startMoto({ iam: { policies, decisionLog: logFile } });
  // The bootstrap credentials (what Terraform would use) are not restricted.
  const admin = track(new DynamoDBClient(config(ADMIN)));
  await admin.send(
    new CreateTableCommand({
      TableName: names.tables.tasks,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'task_id', AttributeType: 'S' }],
    }),
  );
  for (const id of ['t1', 't2'])
    await admin.send(new PutItemCommand({ TableName: names.tables.tasks, Item: { task_id: { S: id }, status: { S: 'QUEUED' }, repo: { S: 'a/b' } } }));
  await track(new SSMClient(config(ADMIN))).send(new PutParameterCommand({ Name: names.parameters.platform, Value: '{}', Type: 'String' }));
}, 180_000);

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  await server?.stop();
  fs.rmSync(logFile, { force: true });
});

describe('IAM enforcement in the emulator', () => {
  it('puts the enforcement point in front of moto when given the policies', () => {
    expect(server.iam).toBeDefined();
    expect(server.endpoint).not.toBe(server.motoEndpoint);
  });

  it("lets the agent's role update its task row's agent attributes, and refuses any other attribute (DynamoDB: 400 AccessDeniedException)", async () => {
    // Prepare
    // The agent writes through its per-task session role, assumed with the runtime role's credentials.
    const ddb = track(new DynamoDBClient(config(await assume(names.roles.agentSession, { task_id: 't1' }, await assume(names.roles.runtimeExecution)))));
    const update = (attribute: string) =>
      ddb.send(
        new UpdateItemCommand({
          TableName: names.tables.tasks,
          Key: { task_id: { S: 't1' } },
          UpdateExpression: 'SET #a = :v',
          ConditionExpression: 'attribute_exists(task_id)',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': { S: 'RUNNING' } },
        }),
      );
    // Act
    const allowed = await update('status');
    const refused = await update('repo').catch((e: unknown) => e);
    // Assess
    expect(allowed.$metadata.httpStatusCode).toBe(200);
    expect(refused).toMatchObject({
      name: 'AccessDeniedException',
      message: denial(names.roles.agentSession, 'dynamodb:UpdateItem', TASKS_ARN),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("refuses the agent's role what it was never granted: PutItem on the tasks table", async () => {
    // Prepare
    const ddb = track(new DynamoDBClient(config(await assume(names.roles.runtimeExecution))));
    // Act
    const refused = await ddb.send(new PutItemCommand({ TableName: names.tables.tasks, Item: { task_id: { S: 't9' } } })).catch((e: unknown) => e);
    // Assess
    expect(refused).toMatchObject({ name: 'AccessDeniedException', message: denial(names.roles.runtimeExecution, 'dynamodb:PutItem', TASKS_ARN) });
  });

  it('lets the publisher read the platform parameter and refuses it the guardrails (SSM: 400 AccessDeniedException)', async () => {
    // Prepare
    const ssm = track(new SSMClient(config(await assume(names.roles.runtimePublisher))));
    const guardrails = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${names.parameters.guardrails}`;
    // Act
    const read = await ssm.send(new GetParameterCommand({ Name: names.parameters.platform }));
    const write = await ssm
      .send(new PutParameterCommand({ Name: names.parameters.guardrails, Value: '{}', Type: 'String', Overwrite: true }))
      .catch((e: unknown) => e);
    // Assess
    expect(read.Parameter?.Value).toBe('{}');
    expect(write).toMatchObject({
      name: 'AccessDeniedException',
      message: denial(names.roles.runtimePublisher, 'ssm:PutParameter', guardrails),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses AgentCore calls on a runtime the role is not granted (REST-JSON: 403 AccessDeniedException) and passes those it is', async () => {
    // Prepare
    const agentcore = track(new BedrockAgentCoreControlClient(config(await assume(names.roles.runtimePublisher))));
    const own = Object.values(policies.roles)
      .find((r) => r.name === names.roles.runtimePublisher)!
      .identity.flatMap((p) => p.policy.Statement)
      .flatMap((s) => [s.Resource].flat() as string[])
      .find((r) => /:runtime\/[^/]+$/.test(r))!;
    // Act
    const other = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'someone_else-0123456789' })).catch((e: unknown) => e);
    const mine = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: own.split('/').pop()! })).catch((e: unknown) => e);
    // Assess
    expect(other).toMatchObject({
      name: 'AccessDeniedException',
      message: denial(
        names.roles.runtimePublisher,
        'bedrock-agentcore:GetAgentRuntime',
        `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/someone_else-0123456789`,
      ),
      $metadata: { httpStatusCode: 403 },
    });
    // Allowed through to moto, which does not have it.
    expect(mine).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("refuses a session's AssumeRole its role does not grant (STS query protocol: 403 AccessDenied)", async () => {
    // Prepare
    const agent = await assume(names.roles.runtimeExecution);
    // Act
    const refused = await assume(names.roles.runtimePublisher, {}, agent).catch((e: unknown) => e);
    // Assess
    expect(refused).toMatchObject({
      name: 'AccessDenied',
      message: denial(names.roles.runtimeExecution, 'sts:AssumeRole', roleArn(names.roles.runtimePublisher)),
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('honours session tags in conditions: aws:PrincipalTag/task_id against dynamodb:LeadingKeys', async () => {
    // Prepare
    const ddb = track(new DynamoDBClient(config(await assume(TASK_ROLE, { task_id: 't1' }))));
    const get = (id: string) => ddb.send(new GetItemCommand({ TableName: names.tables.tasks, Key: { task_id: { S: id } } }));
    // Act
    const own = await get('t1');
    const other = await get('t2').catch((e: unknown) => e);
    // Assess
    expect(own.Item?.task_id?.S).toBe('t1');
    expect(other).toMatchObject({ name: 'AccessDeniedException', message: denial(TASK_ROLE, 'dynamodb:GetItem', TASKS_ARN) });
  });

  it('refuses an operation the mapping table does not know, naming the table', async () => {
    // Prepare
    const ssm = track(new SSMClient(config(await assume(names.roles.runtimePublisher))));
    // Act
    const refused = await ssm.send(new DeleteParameterCommand({ Name: names.parameters.imagePointer })).catch((e: unknown) => e);
    // Assess
    expect(refused).toMatchObject({ name: 'AccessDeniedException' });
    expect((refused as Error).message).toContain('no mapping for this operation (src/local/iam/operations.ts)');
  });

  it('logs every decision as a JSON line and reports the grants used and unused', async () => {
    // Act
    const lines = fs
      .readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DecisionRecord);
    const used = (await (await fetch(`${server.endpoint}/_abca/iam/used`)).json()) as { roleArn: string; action: string; resource: string }[];
    const unused = unusedGrants(policies, used);
    // Assess
    expect(lines).toContainEqual(expect.objectContaining({ principal: 'bootstrap', service: 'dynamodb', operation: 'CreateTable', decision: 'Unrestricted' }));
    expect(lines).toContainEqual(
      expect.objectContaining({ roleArn: roleArn(names.roles.runtimeExecution), action: 'dynamodb:PutItem', decision: 'ImplicitlyDenied' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ roleArn: roleArn(TASK_ROLE), action: 'dynamodb:GetItem', resource: TASKS_ARN, decision: 'Allowed' }),
    );
    expect(used).toContainEqual({ roleArn: roleArn(names.roles.agentSession), action: 'dynamodb:UpdateItem', resource: TASKS_ARN });
    // The agent's row grant (its session role's) was used; its model grant was not (no model call in this suite).
    expect(unused.filter((u) => u.role === names.roles.agentSession).map((u) => u.statement)).not.toContain('TaskRowAgentAttributes');
    expect(unused.filter((u) => u.role === names.roles.runtimeExecution).map((u) => u.statement)).toContain('Models');
  });

  it("passes the emulator's own unsigned routes through (reset, controls)", async () => {
    // Act
    const res = await fetch(`${server.endpoint}/moto-api/data.json`);
    // Assess
    expect(res.status).toBe(200);
  });
});

describe('the launcher without policies', () => {
  it('starts moto alone: clients talk to moto itself, nothing is enforced', async () => {
    // Prepare
    const plain = await startMoto();
    try {
      // Act
      const ddb = track(new DynamoDBClient({ endpoint: plain.endpoint, region: REGION, credentials: ADMIN }));
      const tables = await ddb.send(
        new CreateTableCommand({
          TableName: 'x',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        }),
      );
      // Assess
      expect(plain.iam).toBeUndefined();
      expect(plain.endpoint).toBe(plain.motoEndpoint);
      expect(tables.TableDescription?.TableName).toBe('x');
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
