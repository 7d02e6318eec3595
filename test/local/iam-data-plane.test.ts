/**
 * The local AgentCore data plane behind the same IAM enforcement as moto: InvokeAgentRuntime and
 * StopRuntimeSession are authorized against the caller's role before they are served. Sessions are
 * the ones the moto proxy learnt from AssumeRole (looked up through its /_abca/iam/sessions).
 */
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand, StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import { startAgentCoreDataPlane, type AgentCoreDataPlane } from '../../src/local/agentcore-data-plane';
import { assumeRoleSession, Authorizer, compilePolicies, Enforcer, remoteSessions, type SessionCredentials } from '../../src/local/iam';
import { startMoto, type MotoServer } from '../../src/local/moto';
import { platformNames } from '../../src/platform/names';
import { synthInfraJson, testBundles } from '../infra/support';

const names = platformNames('dev');
const ACCOUNT = '123456789012';
const ADMIN = { accessKeyId: 'testing', secretAccessKey: 'testing' };
// The ARN compilePolicies gives the stack's runtime when no real one is known.
const RUNTIME_ARN = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/${names.agentRuntime}-a1b2c3d4e5`;
const SESSION_ID = 'iam-data-plane-session-0000000000000001';

let server: MotoServer;
let plane: AgentCoreDataPlane;
const clients: BedrockAgentCoreClient[] = [];

function dataClient(credentials: SessionCredentials | typeof ADMIN): BedrockAgentCoreClient {
  const c = new BedrockAgentCoreClient({ endpoint: plane.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}
const asRole = async (role: string) =>
  dataClient(await assumeRoleSession(server.endpoint, `arn:aws:iam::${ACCOUNT}:role/${role}`, `${role}-test`, { credentials: ADMIN }));
const invoke = (c: BedrockAgentCoreClient) =>
  c
    .send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, qualifier: 'live', runtimeSessionId: SESSION_ID, payload: Buffer.from('{}') }))
    .catch((e: unknown) => e);

beforeAll(async () => {
  const policies = compilePolicies(synthInfraJson(await testBundles(), { env: 'dev' }).json);
  server = await startMoto({ iam: { policies } });
  const enforcer = new Enforcer(await Authorizer.create(policies), undefined, remoteSessions(server.endpoint));
  plane = await startAgentCoreDataPlane({ controlEndpoint: server.endpoint, iam: enforcer });
}, 180_000);

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  await plane?.stop();
  await server?.stop();
});

describe('IAM enforcement in front of the local AgentCore data plane', () => {
  it("refuses InvokeAgentRuntime to a role without the grant (the custom resource's) with AWS's 403 AccessDeniedException, before serving it", async () => {
    // Prepare
    const client = await asRole(names.roles.imagePointerFn);
    const served = plane.calls.length;
    // Act
    const refused = await invoke(client);
    // Assess
    expect(refused).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(`is not authorized to perform: bedrock-agentcore:InvokeAgentRuntime on resource: ${RUNTIME_ARN}`),
    });
    expect(plane.calls.length).toBe(served);
  });

  it("lets the API's role invoke and stop sessions of the stack's runtime (the data plane then answers: no such runtime here)", async () => {
    // Prepare
    const client = await asRole(names.roles.apiFn);
    // Act
    const invoked = await invoke(client);
    const stopped = await client
      .send(new StopRuntimeSessionCommand({ agentRuntimeArn: RUNTIME_ARN, qualifier: 'live', runtimeSessionId: SESSION_ID }))
      .catch((e: unknown) => e);
    // Assess
    expect(invoked).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(stopped).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(plane.calls.slice(-2).map((c) => c.operation)).toEqual(['InvokeAgentRuntime', 'StopRuntimeSession']);
  });

  it('leaves the bootstrap credentials unrestricted', async () => {
    // Act
    const invoked = await invoke(dataClient(ADMIN));
    // Assess
    expect(invoked).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
