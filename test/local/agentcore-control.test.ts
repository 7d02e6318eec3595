/**
 * The AgentCore control plane emulator against its spec (docs/agentcore-emulator.md), through the
 * real SDK: one test per rule. The rule numbers match the spec.
 */
import {
  BedrockAgentCoreControlClient,
  CreateAgentRuntimeCommand,
  CreateAgentRuntimeEndpointCommand,
  DeleteAgentRuntimeEndpointCommand,
  GetAgentRuntimeCommand,
  GetAgentRuntimeEndpointCommand,
  ListAgentRuntimeEndpointsCommand,
  ListAgentRuntimeVersionsCommand,
  ListAgentRuntimesCommand,
  UpdateAgentRuntimeCommand,
  UpdateAgentRuntimeEndpointCommand,
  type CreateAgentRuntimeCommandInput,
  type GetAgentRuntimeEndpointCommandOutput,
  type UpdateAgentRuntimeCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { failNextRuntimeUpdate, resetMoto, servedVersion, setEndpointUpdateDelay, setRuntimeUpdateDelay } from '../../src/local/moto';
import { useMoto } from '../support/moto';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/abca-agent';
const image = (c: string) => `${REPO}@sha256:${c.repeat(64)}`;
const NETWORK = { networkMode: 'VPC' as const, networkModeConfig: { securityGroups: ['sg-0123456789abcdef0'], subnets: ['subnet-0123456789abcdef0'] } };
const token = (s: string) => s.padEnd(40, '0');

describe('AgentCore control plane emulator', () => {
  const moto = useMoto();
  const agentcore = new BedrockAgentCoreControlClient({ maxAttempts: 1 });
  let n = 0;

  afterEach(async () => {
    await setRuntimeUpdateDelay(moto.endpoint(), 0);
    await setEndpointUpdateDelay(moto.endpoint(), 0);
  });

  function createInput(extra: Partial<CreateAgentRuntimeCommandInput> = {}): CreateAgentRuntimeCommandInput {
    n += 1;
    return {
      agentRuntimeName: `spec_${n}`,
      agentRuntimeArtifact: { containerConfiguration: { containerUri: image('a') } },
      roleArn: 'arn:aws:iam::123456789012:role/abca-runtime',
      networkConfiguration: NETWORK,
      environmentVariables: { A: '1' },
      description: 'first',
      ...extra,
    };
  }

  async function createReady(extra: Partial<CreateAgentRuntimeCommandInput> = {}): Promise<string> {
    const created = await agentcore.send(new CreateAgentRuntimeCommand(createInput(extra)));
    await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: created.agentRuntimeId }));
    return created.agentRuntimeId!;
  }

  function updateInput(agentRuntimeId: string, c: string, extra: Partial<UpdateAgentRuntimeCommandInput> = {}): UpdateAgentRuntimeCommandInput {
    return {
      agentRuntimeId,
      agentRuntimeArtifact: { containerConfiguration: { containerUri: image(c) } },
      roleArn: 'arn:aws:iam::123456789012:role/abca-runtime',
      networkConfiguration: NETWORK,
      ...extra,
    };
  }

  const endpointOf = (agentRuntimeId: string, endpointName: string) => agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName }));

  async function pollEndpoint(agentRuntimeId: string, endpointName: string, done: (e: GetAgentRuntimeEndpointCommandOutput) => boolean) {
    for (let i = 0; i < 100; i++) {
      const e = await endpointOf(agentRuntimeId, endpointName);
      if (done(e)) return e;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`endpoint ${endpointName} never reached the expected state`);
  }

  it('R1: each create/update makes an immutable version; Get with a version returns that version; List lists them', async () => {
    // Prepare
    const id = await createReady();
    // Act
    const updated = await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b', { environmentVariables: { A: '2' } })));
    // Assess
    expect(updated.agentRuntimeVersion).toBe('2');
    const v1 = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '1' }));
    const v2 = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '2' }));
    const latest = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    expect([v1.agentRuntimeVersion, v1.agentRuntimeArtifact?.containerConfiguration?.containerUri, v1.environmentVariables]).toEqual([
      '1',
      image('a'),
      { A: '1' },
    ]);
    expect([v2.agentRuntimeArtifact?.containerConfiguration?.containerUri, v2.environmentVariables]).toEqual([image('b'), { A: '2' }]);
    expect(latest.agentRuntimeVersion).toBe('2');
    expect(latest.agentRuntimeArn).toBe(v1.agentRuntimeArn);
    expect(latest.agentRuntimeArn).toMatch(new RegExp(`^arn:aws:bedrock-agentcore:us-east-1:\\d{12}:runtime/${id}$`));
    const versions = await agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }));
    expect(versions.agentRuntimes?.map((v) => v.agentRuntimeVersion).sort()).toEqual(['1', '2']);
    await expect(agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '3' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const listed = await agentcore.send(new ListAgentRuntimesCommand({}));
    expect(listed.agentRuntimes?.find((r) => r.agentRuntimeId === id)?.agentRuntimeVersion).toBe('2');
  });

  it('R2: UpdateAgentRuntime replaces the whole configuration: omitted optional members are reset', async () => {
    // Prepare
    const id = await createReady({
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 60, maxLifetime: 3600 },
      protocolConfiguration: { serverProtocol: 'HTTP' },
    });
    // Act: an update that names only the required members
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    // Assess
    const latest = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    expect(latest.environmentVariables).toBeUndefined();
    expect(latest.protocolConfiguration).toBeUndefined();
    expect(latest.description).toBe('');
    expect(latest.lifecycleConfiguration).toEqual({ idleRuntimeSessionTimeout: 900, maxLifetime: 28800 });
  });

  it('R3: an update while the runtime is UPDATING is refused with ConflictException (409)', async () => {
    // Prepare
    const id = await createReady();
    await setRuntimeUpdateDelay(moto.endpoint(), 30);
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    // Act
    const second = agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'c')));
    // Assess
    await expect(second).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
    expect((await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).agentRuntimeVersion).toBe('2');
  });

  it('R4: a clientToken repeated with the same request is a replay: the first result, no new version', async () => {
    // Prepare
    const id = await createReady();
    const first = await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b', { clientToken: token('restore') })));
    await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    // Act
    const again = await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b', { clientToken: token('restore') })));
    // Assess
    expect(again.agentRuntimeVersion).toBe(first.agentRuntimeVersion);
    const versions = await agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }));
    expect(versions.agentRuntimes).toHaveLength(2);
  });

  it('R4: the same clientToken with a different request is refused (ValidationException, IdempotentParameterMismatchException)', async () => {
    // Prepare: a -> b with a token
    const id = await createReady();
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b', { clientToken: token('restoreb') })));
    await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    // Act: the first token again, for another image
    const reused = agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'c', { clientToken: token('restoreb') })));
    // Assess: nothing happened
    await expect(reused).rejects.toMatchObject({
      name: 'ValidationException',
      reason: 'IdempotentParameterMismatchException',
      $metadata: { httpStatusCode: 400 },
    });
    const latest = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    expect(latest.agentRuntimeArtifact?.containerConfiguration?.containerUri).toBe(image('b'));
  });

  it('R5: Get returns requireServiceS3Endpoint; Create and Update refuse it (ValidationException)', async () => {
    // Prepare
    const id = await createReady();
    const live = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    expect(live.networkConfiguration?.networkModeConfig?.requireServiceS3Endpoint).toBe(false);
    // Act: send back what Get returned
    const update = agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b', { networkConfiguration: live.networkConfiguration })));
    const create = agentcore.send(new CreateAgentRuntimeCommand(createInput({ networkConfiguration: live.networkConfiguration })));
    // Assess
    await expect(update).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('requireServiceS3Endpoint') });
    await expect(create).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('requireServiceS3Endpoint') });
    expect((await agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }))).agentRuntimes).toHaveLength(1);
  });

  it('R6: DEFAULT follows the latest version asynchronously: UPDATING with liveVersion old, then READY on the new one', async () => {
    // Prepare
    const id = await createReady();
    expect(await endpointOf(id, 'DEFAULT')).toMatchObject({ status: 'READY', liveVersion: '1', targetVersion: '1' });
    await setEndpointUpdateDelay(moto.endpoint(), 1);
    // Act
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    // Assess: the runtime version is READY while DEFAULT still serves version 1
    expect((await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).status).toBe('READY');
    expect(await endpointOf(id, 'DEFAULT')).toMatchObject({ status: 'UPDATING', liveVersion: '1', targetVersion: '2' });
    const moved = await pollEndpoint(id, 'DEFAULT', (e) => e.status === 'READY');
    expect(moved).toMatchObject({ liveVersion: '2', targetVersion: '2' });
  });

  it('R6: DEFAULT does not move before the version it follows is READY, nor to a version that failed', async () => {
    // Prepare
    const id = await createReady();
    await setRuntimeUpdateDelay(moto.endpoint(), 30);
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    // Assess: still on 1 while version 2 is UPDATING
    expect(await endpointOf(id, 'DEFAULT')).toMatchObject({ status: 'UPDATING', liveVersion: '1', targetVersion: '2' });
    // Act: a second runtime whose update fails
    await setRuntimeUpdateDelay(moto.endpoint(), 0);
    const other = await createReady();
    await failNextRuntimeUpdate(moto.endpoint(), other, 'image did not start');
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(other, 'c')));
    // Assess
    const failed = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: other }));
    expect(failed).toMatchObject({ status: 'UPDATE_FAILED', agentRuntimeVersion: '2', failureReason: 'image did not start' });
    expect(await endpointOf(other, 'DEFAULT')).toMatchObject({ status: 'READY', liveVersion: '1' });
  });

  it('R7: a named endpoint stays on its version across runtime updates and moves only when updated, with the same lag', async () => {
    // Prepare
    const id = await createReady();
    const created = await agentcore.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'live', agentRuntimeVersion: '1' }));
    expect(created).toMatchObject({ targetVersion: '1', status: 'CREATING', agentRuntimeEndpointArn: expect.stringMatching(/runtime-endpoint\/live$/) });
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    expect(await endpointOf(id, 'live')).toMatchObject({ status: 'READY', liveVersion: '1', targetVersion: '1' });
    await setEndpointUpdateDelay(moto.endpoint(), 1);
    // Act
    const moving = await agentcore.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'live', agentRuntimeVersion: '2' }));
    // Assess
    expect(moving).toMatchObject({ status: 'UPDATING', liveVersion: '1', targetVersion: '2' });
    expect(await endpointOf(id, 'live')).toMatchObject({ status: 'UPDATING', liveVersion: '1', targetVersion: '2' });
    await expect(
      agentcore.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'live', agentRuntimeVersion: '1' })),
    ).rejects.toMatchObject({
      name: 'ConflictException',
    });
    expect(await pollEndpoint(id, 'live', (e) => e.status === 'READY')).toMatchObject({ liveVersion: '2', targetVersion: '2' });
  });

  it('R7: endpoints are listed and deleted; a version that does not exist is refused; DEFAULT cannot be moved', async () => {
    // Prepare
    const id = await createReady();
    await agentcore.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'canary' }));
    // Act / Assess
    await expect(agentcore.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'nope', agentRuntimeVersion: '7' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(agentcore.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'canary' }))).rejects.toMatchObject({
      name: 'ConflictException',
    });
    await expect(
      agentcore.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'canary', agentRuntimeVersion: '7' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      agentcore.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'DEFAULT', agentRuntimeVersion: '1' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const listed = await agentcore.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: id }));
    expect(listed.runtimeEndpoints?.map((e) => e.name).sort()).toEqual(['DEFAULT', 'canary']);
    await agentcore.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'canary' }));
    await expect(endpointOf(id, 'canary')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("R8: the runtime status follows moto's state manager: UPDATING until the configured delay ends", async () => {
    // Prepare
    const id = await createReady();
    await setRuntimeUpdateDelay(moto.endpoint(), 30);
    // Act
    const updated = await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    // Assess
    expect(updated.status).toBe('UPDATING');
    expect((await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).status).toBe('UPDATING');
    await setRuntimeUpdateDelay(moto.endpoint(), 0);
    expect((await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).status).toBe('READY');
    expect((await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '1' }))).status).toBe('READY');
  });

  it('serves, per endpoint, the configuration of its liveVersion (what the data plane routes to)', async () => {
    // Prepare
    const id = await createReady();
    const arn = (await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).agentRuntimeArn!;
    await agentcore.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'live' }));
    expect(await endpointOf(id, 'live')).toMatchObject({ status: 'READY', liveVersion: '1' });
    await setEndpointUpdateDelay(moto.endpoint(), 30);
    // Act
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    // Assess: DEFAULT lags, so it still serves image a; live was never moved
    expect(await servedVersion(moto.endpoint(), arn)).toMatchObject({ version: '1', containerUri: image('a') });
    expect(await servedVersion(moto.endpoint(), arn, 'live')).toMatchObject({ version: '1', containerUri: image('a') });
    await setEndpointUpdateDelay(moto.endpoint(), 0);
    expect(await servedVersion(moto.endpoint(), arn)).toMatchObject({ version: '2', containerUri: image('b') });
    expect(await servedVersion(moto.endpoint(), arn, 'nope')).toBeUndefined();
  });

  it('pages the version list with maxResults and nextToken', async () => {
    // Prepare: three versions
    const id = await createReady();
    for (const c of ['b', 'c']) {
      await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, c)));
      await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    }
    // Act
    const first = await agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id, maxResults: 2 }));
    const second = await agentcore.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id, maxResults: 2, nextToken: first.nextToken }));
    // Assess
    expect(first.agentRuntimes?.map((v) => v.agentRuntimeVersion)).toEqual(['3', '2']);
    expect(second.agentRuntimes?.map((v) => v.agentRuntimeVersion)).toEqual(['1']);
    expect(second.nextToken).toBeUndefined();
  });

  it('a reset sets the runtime and endpoint delays back to immediate', async () => {
    // Prepare
    await setRuntimeUpdateDelay(moto.endpoint(), 30);
    await setEndpointUpdateDelay(moto.endpoint(), 30);
    // Act
    await resetMoto(moto.endpoint());
    // Assess
    const id = await createReady();
    await agentcore.send(new UpdateAgentRuntimeCommand(updateInput(id, 'b')));
    expect((await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).status).toBe('READY');
    expect(await endpointOf(id, 'DEFAULT')).toMatchObject({ status: 'READY', liveVersion: '2' });
  });
});
