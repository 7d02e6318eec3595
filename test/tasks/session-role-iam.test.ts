/**
 * The per-task session role under IAM enforcement (the stack's synthesized policies, moto behind
 * the enforcement proxy): the agent, holding the runtime role's credentials, assumes the session
 * role tagged with its task (agent/src/task-row.ts taskRowFromEnv) and writes its own row; the
 * same agent is denied on another task's row, and the runtime role itself reaches no row.
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials, DynamoDb } from '../../agent/src/aws';
import { taskRowFromEnv } from '../../agent/src/task-row';
import { compilePolicies } from '../../src/local/iam';
import { startMoto, type MotoServer } from '../../src/local/moto';
import { platformNames } from '../../src/platform/names';
import { synthInfraJson, testBundles } from '../infra/support';

const names = platformNames('dev');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ADMIN = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const A = `task-${'a'.repeat(32)}`;
const B = `task-${'b'.repeat(32)}`;

let server: MotoServer;
let runtime: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  server = await startMoto({ iam: { policies: compilePolicies(synthInfraJson(await testBundles(), { env: 'dev' }).json) } });
  const config = { endpoint: server.endpoint, region: REGION, credentials: ADMIN, maxAttempts: 1 };
  const admin = new DynamoDBClient(config);
  const sts = new STSClient(config);
  clients.push(admin, sts);
  await admin.send(
    new CreateTableCommand({
      TableName: names.tables.tasks,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'task_id', AttributeType: 'S' }],
    }),
  );
  for (const id of [A, B])
    await admin.send(
      new PutItemCommand({
        TableName: names.tables.tasks,
        Item: { task_id: { S: id }, status: { S: 'RUNNING' }, runtime_session_id: { S: id }, version: { N: '2' } },
      }),
    );
  // What AgentCore gives the container: the runtime role's credentials.
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn(names.roles.runtimeExecution), RoleSessionName: 'microvm' }))).Credentials!;
  runtime = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}, 180_000);

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  await server?.stop();
});

const agentEnv = () => ({
  AWS_ENDPOINT_URL: server.endpoint,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: runtime.accessKeyId,
  AWS_SECRET_ACCESS_KEY: runtime.secretAccessKey,
  AWS_SESSION_TOKEN: runtime.sessionToken,
  TASK_TABLE_NAME: names.tables.tasks,
  AGENT_SESSION_ROLE_ARN: roleArn(names.roles.agentSession),
});

describe('the per-task session role, enforced', () => {
  it("lets task A's agent heartbeat and finish on its own row, through the session role tagged task_id=A", async () => {
    // Prepare
    const row = taskRowFromEnv(agentEnv())!;
    // Act
    await row.heartbeat(A, A, 'step 1/3');
    await row.finish(A, A, { status: 'COMPLETED', result: { status: 'completed' }, summary: { pr_url: 'https://github.com/o/r/pull/1', turns: 3 } });
    const after = await new DynamoDBClient({ endpoint: server.endpoint, region: REGION, credentials: ADMIN }).send(
      new GetItemCommand({ TableName: names.tables.tasks, Key: { task_id: { S: A } } }),
    );
    // Assess
    expect(after.Item).toMatchObject({ status: { S: 'COMPLETED' }, pr_url: { S: 'https://github.com/o/r/pull/1' }, turns: { S: '3' } });
  });

  it("denies task A's agent task B's row: it cannot forge B's result or reset its status", async () => {
    // Prepare: A's session credentials, used on B's key
    const env = agentEnv();
    const asA = new DynamoDb(
      REGION,
      assumedRoleCredentials({ region: REGION, roleArn: env.AGENT_SESSION_ROLE_ARN, sessionName: A, tags: { task_id: A }, env }),
      env,
    );
    // Act
    const forged = await asA
      .updateItem({
        TableName: names.tables.tasks,
        Key: { task_id: B },
        UpdateExpression: 'SET pr_url = :u, #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':u': 'https://evil.example/pr', ':s': 'COMPLETED' },
      })
      .catch((e: Error) => e);
    // Assess
    expect(forged).toBeInstanceOf(Error);
    expect((forged as Error).message).toMatch(/AccessDeniedException/);
    expect((forged as Error).message).toContain(`assumed-role/${names.roles.agentSession}/${A}`);
  });

  it('the runtime role itself reaches no task row (only the session role does)', async () => {
    // Prepare
    const env = agentEnv();
    const asRuntime = new DynamoDb(REGION, async () => runtime, env);
    // Act
    const refused = await asRuntime
      .updateItem({
        TableName: names.tables.tasks,
        Key: { task_id: A },
        UpdateExpression: 'SET agent_heartbeat_at = :t',
        ExpressionAttributeValues: { ':t': 'x' },
      })
      .catch((e: Error) => e);
    // Assess
    expect((refused as Error).message).toMatch(/AccessDeniedException/);
  });
});
