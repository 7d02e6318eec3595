/**
 * Each component acts as its own stack role in the test bed (IAM enforced by default): its session
 * comes from an AssumeRole through this worker's enforcement point, which compiles the
 * environment's policies on first sight and again once its bootstrap created the runtime. Each
 * role is refused, with AWS's AccessDenied, an action only another component has.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { createClients, stsClient, type AwsClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { executionRoleEnv } from '../../src/local/data-plane/agent-process';
import type { ServedImage } from '../../src/local/data-plane/runtimes';
import type { UsedGrant } from '../../src/local/iam';
import { platformNames } from '../../src/platform/names';
import { clientsAs, envAs } from '../support/iam';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';

const moto = useMoto();
const ENV = 'iamcomp';
const names = platformNames(ENV);
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const parameter = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
let runtimeArn: string;
let runtimeId: string;
const made: AwsClients[] = [];

async function as(component: Parameters<typeof clientsAs>[1]): Promise<AwsClients> {
  const c = await clientsAs(ENV, component, { maxAttempts: 1 });
  made.push(c);
  return c;
}

async function used(): Promise<UsedGrant[]> {
  return (await (await fetch(`${moto.endpoint()}/_abca/iam/used`)).json()) as UsedGrant[];
}

const refusal = (roleName: string, session: string, action: string, resource: string) =>
  `User: arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${session} is not authorized to perform: ${action} on resource: ${resource}`;

beforeAll(async () => {
  const admin = createClients();
  made.push(admin);
  const { platform } = await bootstrapLocal({ env: ENV, clients: admin });
  runtimeArn = platform.agentRuntimeArn;
  runtimeId = platform.agentRuntimeId;
}, 120_000);

afterAll(() => made.forEach((c) => Object.values(c).forEach((x) => x.destroy())));

describe('components as their stack roles (enforced by default)', () => {
  it('the API role reads the platform document but may not move the image pointer (only the publisher may)', async () => {
    // Prepare
    const api = await as('api');
    // Act
    const read = await api.ssm.send(new GetParameterCommand({ Name: names.parameters.platform }));
    const moved = await api.ssm
      .send(new PutParameterCommand({ Name: names.parameters.imagePointer, Value: `sha256:${'a'.repeat(64)}`, Overwrite: true }))
      .catch((e: unknown) => e);
    // Assess
    expect(read.Parameter?.Name).toBe(names.parameters.platform);
    expect(moved).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((moved as Error).message).toContain(refusal(names.roles.apiFn, 'abca-local-api', 'ssm:PutParameter', parameter(names.parameters.imagePointer)));
  });

  it('the publisher reads the runtime the bootstrap created (its grant names the real ARN) but may not write a repository row (only the API and provisioner may)', async () => {
    // Prepare
    const publisher = await as('publisher');
    // Act
    const runtime = await publisher.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: runtimeId }));
    const wrote = await publisher.doc.send(new PutCommand({ TableName: names.tables.repos, Item: { repo: 'acme/forged' } })).catch((e: unknown) => e);
    // Assess
    expect(runtime.agentRuntimeArn).toBe(runtimeArn);
    expect(wrote).toMatchObject({ name: 'AccessDeniedException' });
    expect((wrote as Error).message).toContain(
      refusal(names.roles.runtimePublisher, 'abca-local-publisher', 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${names.tables.repos}`),
    );
  });

  it('the provisioner may not update the runtime (only the publisher and the custom resource may): 403 AccessDeniedException', async () => {
    // Prepare
    const provisioner = await as('provisioner');
    // Act
    const updated = await provisioner.agentcore
      .send(
        new UpdateAgentRuntimeCommand({
          agentRuntimeId: runtimeId,
          agentRuntimeArtifact: { containerConfiguration: { containerUri: 'x' } },
          roleArn: role(names.roles.runtimeExecution),
          networkConfiguration: { networkMode: 'PUBLIC' },
        }),
      )
      .catch((e: unknown) => e);
    // Assess
    expect(updated).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect((updated as Error).message).toContain(
      refusal(names.roles.provisionerFn, 'abca-local-provisioner', 'bedrock-agentcore:UpdateAgentRuntime', runtimeArn),
    );
  });

  it('the reconciler may not move the image pointer (only the publisher and the custom resource may)', async () => {
    // Prepare
    const reconciler = await as('reconciler');
    // Act
    const moved = await reconciler.ssm
      .send(new PutParameterCommand({ Name: names.parameters.imagePointer, Value: `sha256:${'b'.repeat(64)}`, Overwrite: true }))
      .catch((e: unknown) => e);
    // Assess
    expect(moved).toMatchObject({ name: 'AccessDeniedException' });
    expect((moved as Error).message).toContain(
      refusal(names.roles.reconcilerFn, 'abca-local-reconciler', 'ssm:PutParameter', parameter(names.parameters.imagePointer)),
    );
  });

  it('the image-pointer custom resource, run by the bootstrap as its role, used its grants (the pointer label among them)', async () => {
    // Assess: the bootstrap's re-apply went through the enforcement point as that role.
    const grants = await used();
    expect(grants).toContainEqual({
      roleArn: role(names.roles.imagePointerFn),
      action: 'ssm:GetParameter',
      resource: parameter(names.parameters.imagePointer),
    });
    expect(grants.filter((g) => g.roleArn === role(names.roles.imagePointerFn)).map((g) => g.action)).toContain('bedrock-agentcore:GetAgentRuntime');
  });

  it("the agent process gets its version's execution role session, as AgentCore gives a microVM; that role may not read the platform document", async () => {
    // Prepare
    const image = {
      runtimeId,
      version: '1',
      qualifier: 'live',
      digest: `sha256:${'c'.repeat(64)}`,
      config: { roleArn: role(names.roles.runtimeExecution) },
    } as unknown as ServedImage;
    // Act
    const env = await executionRoleEnv({ controlEndpoint: moto.endpoint(), region: REGION }, image, 'session-0123456789abcdef0123456789abcdef');
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    const sts = stsClient({ credentials });
    const agent = createClients({ credentials, maxAttempts: 1 });
    made.push(agent);
    const who = await sts.send(new GetCallerIdentityCommand({})).finally(() => sts.destroy());
    const read = await agent.ssm.send(new GetParameterCommand({ Name: names.parameters.platform })).catch((e: unknown) => e);
    // Assess
    expect(who.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/${names.roles.runtimeExecution}/agentcore-session-0123456789abcdef0123456789abcdef`);
    expect(read).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('a runtime script run by the harness acts as the environment publisher (CI gives it that session); the API role running it is refused', async () => {
    // Act
    const asPublisher = await runTsx('scripts/runtime-status.ts', ['--env', ENV, '--json']);
    // The API may read the release state (the console shows it) but not the image repository a publish resolves tags in.
    const asApi = await runTsx('scripts/publish-runtime.ts', ['--env', ENV, '--image-tag', 'nope', '--dry-run', '--json'], { env: await envAs(ENV, 'api') });
    // Assess
    expect(asPublisher.stderr).not.toContain('not authorized');
    expect(JSON.parse(asPublisher.stdout)).toMatchObject({ env: ENV });
    // Only the script read the platform document as the publisher in this file.
    expect(await used()).toContainEqual({
      roleArn: role(names.roles.runtimePublisher),
      action: 'ssm:GetParameter',
      resource: parameter(names.parameters.platform),
    });
    expect(asApi.code).not.toBe(0);
    expect(asApi.stderr).toContain(`assumed-role/${names.roles.apiFn}/abca-local-api is not authorized to perform`);
  });
});
