/**
 * Issue 11 item 5: the UpdateAgentRuntime request is built from an explicit list of updatable
 * members, never carries the read-only requireServiceS3Endpoint, uses a fresh client token per
 * operation, waits for the exact version it created, and a refused label is a failure.
 */
import * as AgentCore from '@aws-sdk/client-bedrock-agentcore-control';
import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand, type UpdateAgentRuntimeCommandInput } from '@aws-sdk/client-bedrock-agentcore-control';
import { LabelParameterVersionCommand } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { listAudit, publishRuntime, runtimeStatus } from '../../src/runtime';
import { buildUpdateRequest, getRuntime, newClientToken, NON_CONFIG_MEMBERS, UPDATABLE_MEMBERS, waitReady } from '../../src/runtime/agent-runtime';
import type { RuntimeContext } from '../../src/runtime';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pushImage } from './support';

/** The SDK's own schema of the request: [kind, namespace, name, traits, memberNames, memberSchemas]. */
function sdkRequestMembers(): string[] {
  const schema = (AgentCore as unknown as Record<string, unknown>)['UpdateAgentRuntimeRequest$'] as unknown[] | undefined;
  if (!Array.isArray(schema) || !Array.isArray(schema[4]))
    throw new Error('the SDK no longer exports UpdateAgentRuntimeRequest$ as a schema: read the members another way');
  return schema[4] as string[];
}

function captureUpdates(clients: ReturnType<typeof createClients>): UpdateAgentRuntimeCommandInput[] {
  const sent: UpdateAgentRuntimeCommandInput[] = [];
  clients.agentcore.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === UpdateAgentRuntimeCommand.name) sent.push(structuredClone(args.input as UpdateAgentRuntimeCommandInput));
      return next(args);
    },
    { step: 'initialize', name: 'captureUpdate' },
  );
  return sent;
}

/**
 * Makes the latest version one without a description, as Terraform makes it when the stack sets
 * none: GetAgentRuntime then answers `description: ""` (the emulator, as AWS).
 */
async function dropDescription(ctx: RuntimeContext): Promise<void> {
  const live = await getRuntime(ctx);
  const { description, ...request } = buildUpdateRequest(live, live.agentRuntimeArtifact!.containerConfiguration!.containerUri!, newClientToken());
  expect(description).toBeTruthy();
  await ctx.clients.agentcore.send(new UpdateAgentRuntimeCommand(request));
  const read = await waitReady(ctx, FAST);
  expect(read.description).toBe('');
}

describe('UpdateAgentRuntime request', () => {
  useMoto();

  it('issue 21 item 3: publishes a runtime without a description (GetAgentRuntime answers "", Update refuses "")', async () => {
    // Prepare
    const clients = createClients();
    const sent = captureUpdates(clients);
    const ctx = await bootstrappedRuntime('upddesc', clients);
    await dropDescription(ctx);
    const a = await pushImage(ctx, 'a');
    sent.length = 0;
    // Act
    const result = await publishRuntime(ctx, { imageDigest: a, ...FAST });
    // Assess: published, and the request carried no description (omitted = unset, as it was)
    expect(result.outcome).toBe('published');
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toHaveProperty('description');
    expect((await getRuntime(ctx)).description).toBe('');
  });

  it('issue 21 item 3: a failed publish of a runtime without a description restores (no RESTORE_FAILED)', async () => {
    // Prepare: good is live on a runtime without a description; bad fails its smoke
    const clients = createClients();
    const sent = captureUpdates(clients);
    const ctx = await bootstrappedRuntime('upddescr', clients);
    const good = await pushImage(ctx, 'good');
    const bad = await pushImage(ctx, 'bad');
    await publishRuntime(ctx, { imageDigest: good, ...FAST });
    await dropDescription(ctx);
    sent.length = 0;
    // Act + Assess: rolled back, i.e. the restore's own update went through
    await expect(publishRuntime(ctx, { imageDigest: bad, smokeCmd: 'exit 1', ...FAST })).rejects.toMatchObject({ code: 'ROLLED_BACK', exitCode: 1 });
    expect(sent.map((r) => r.agentRuntimeArtifact?.containerConfiguration?.containerUri)).toEqual(
      [bad, good].map((d) => `${ctx.platform.ecrRepositoryUrl}@${d}`),
    );
    for (const req of sent) expect(req).not.toHaveProperty('description');
    expect(await runtimeStatus(ctx)).toMatchObject({ pointer: { digest: good }, runtime: { digest: good, status: 'READY' } });
    expect((await listAudit(ctx)).filter((e) => e.action === 'restore').map((e) => e.outcome)).toEqual(['succeeded']);
  });

  it('copies exactly the updatable members the SDK knows: an SDK that adds one fails here until someone decides', () => {
    expect([...UPDATABLE_MEMBERS, ...NON_CONFIG_MEMBERS].sort()).toEqual([...sdkRequestMembers()].sort());
  });

  it('never sends requireServiceS3Endpoint, which GetAgentRuntime returns and AWS refuses on update', async () => {
    // Prepare: GetAgentRuntime answers as AWS does (with the field); an update carrying it is refused as AWS refuses it
    const clients = createClients();
    const sent = captureUpdates(clients);
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === UpdateAgentRuntimeCommand.name) {
          const input = args.input as UpdateAgentRuntimeCommandInput;
          if (input.networkConfiguration?.networkModeConfig && 'requireServiceS3Endpoint' in input.networkConfiguration.networkModeConfig) {
            throw Object.assign(new Error('requireServiceS3Endpoint cannot be set on this agent runtime'), {
              name: 'ValidationException',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
            });
          }
        }
        const out = await next(args);
        if (context.commandName === GetAgentRuntimeCommand.name) {
          const vpc = (out.output as AgentCore.GetAgentRuntimeCommandOutput).networkConfiguration?.networkModeConfig;
          if (vpc) vpc.requireServiceS3Endpoint = false;
        }
        return out;
      },
      { step: 'initialize', name: 'awsNetworkShape' },
    );
    const ctx = await bootstrappedRuntime('upds3', clients);
    const a = await pushImage(ctx, 'a');
    // Act
    const result = await publishRuntime(ctx, { imageDigest: a, ...FAST });
    // Assess
    expect(result.outcome).toBe('published');
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const req of sent) {
      expect(req.networkConfiguration?.networkModeConfig).not.toHaveProperty('requireServiceS3Endpoint');
      expect(req.networkConfiguration?.networkModeConfig?.subnets?.length).toBeGreaterThan(0);
    }
  });

  it('builds the request from the read: every updatable member back, only the image changed', () => {
    const live = {
      agentRuntimeId: 'rt-1',
      agentRuntimeArn: 'arn',
      agentRuntimeName: 'n',
      agentRuntimeVersion: '3',
      status: 'READY',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      description: 'd',
      networkConfiguration: { networkMode: 'VPC', networkModeConfig: { subnets: ['subnet-1'], securityGroups: ['sg-1'], requireServiceS3Endpoint: true } },
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
      environmentVariables: { A: '1' },
      agentRuntimeArtifact: { containerConfiguration: { containerUri: 'old' } },
      workloadIdentityDetails: { workloadIdentityArn: 'w' },
      failureReason: 'x',
    } as unknown as AgentCore.GetAgentRuntimeCommandOutput;
    const req = buildUpdateRequest(live, 'new', 'abca-token-0123456789012345678901234567');
    expect(req).toEqual({
      agentRuntimeId: 'rt-1',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      description: 'd',
      networkConfiguration: { networkMode: 'VPC', networkModeConfig: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
      environmentVariables: { A: '1' },
      agentRuntimeArtifact: { containerConfiguration: { containerUri: 'new' } },
      metadataConfiguration: { requireMMDSV2: true },
      clientToken: 'abca-token-0123456789012345678901234567',
    });
  });

  it('a second restore of the same failed→good pair sends a new token and really restores', async () => {
    // Prepare: good is live; bad fails its smoke twice (the demo's "publish C fails", run twice)
    const clients = createClients();
    const sent = captureUpdates(clients);
    const ctx = await bootstrappedRuntime('updtoken', clients);
    const good = await pushImage(ctx, 'good');
    const bad = await pushImage(ctx, 'bad');
    await publishRuntime(ctx, { imageDigest: good, ...FAST });
    // Act
    for (let i = 0; i < 2; i++) {
      await expect(publishRuntime(ctx, { imageDigest: bad, smokeCmd: 'exit 1', ...FAST })).rejects.toMatchObject({ code: 'ROLLED_BACK' });
    }
    // Assess: every update went out with its own token (AWS would take a repeated one as a replay and do nothing)
    const tokens = sent.map((r) => r.clientToken);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const t of tokens) expect(t).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){32,255}$/);
    const status = await runtimeStatus(ctx);
    expect(status).toMatchObject({ pointer: { digest: good }, runtime: { digest: good, status: 'READY' } });
    expect((await listAudit(ctx)).filter((e) => e.action === 'restore').map((e) => e.outcome)).toEqual(['succeeded', 'succeeded']);
  });

  it('waits for the exact version the update returned, not for any READY', async () => {
    // Prepare: the previous version stays READY; the new one is UPDATING for its first three reads
    const clients = createClients();
    const reads: (string | undefined)[] = [];
    let heldReads = 3;
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === GetAgentRuntimeCommand.name) {
          const asked = (args.input as AgentCore.GetAgentRuntimeCommandInput).agentRuntimeVersion;
          reads.push(asked);
          const body = out.output as AgentCore.GetAgentRuntimeCommandOutput;
          if (asked === '3' && heldReads > 0) {
            heldReads--;
            body.status = 'UPDATING';
          }
        }
        return out;
      },
      { step: 'initialize', name: 'holdVersion' },
    );
    const ctx = await bootstrappedRuntime('updexact', clients);
    const b = await pushImage(ctx, 'b');
    const live = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const created = await clients.agentcore.send(
      new UpdateAgentRuntimeCommand(buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${b}`, 'abca-exact-0123456789012345678901234567')),
    );
    // Bootstrap made version 1 (as Terraform) and 2 (its re-apply, MMDSv2): this update makes 3.
    expect(created.agentRuntimeVersion).toBe('3');
    const polled: (string | undefined)[] = [];
    // Act
    const ready = await waitReady(ctx, { version: '3', timeoutMs: 20_000, pollIntervalMs: 8, onPoll: (s) => polled.push(s) });
    // Assess
    expect(ready.status).toBe('READY');
    expect(polled).toEqual(['UPDATING', 'UPDATING', 'UPDATING', 'READY']);
    expect(reads.filter((v) => v === '3')).toHaveLength(4);
  });

  it('a label SSM refuses (InvalidLabels) fails the publish instead of passing silently', async () => {
    // Prepare: SSM answers LabelParameterVersion with InvalidLabels (HTTP 200), as it does for a label it will not attach
    const clients = createClients();
    clients.ssm.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === LabelParameterVersionCommand.name) (out.output as { InvalidLabels?: string[] }).InvalidLabels = ['live'];
        return out;
      },
      { step: 'initialize', name: 'invalidLabels' },
    );
    const ctx = await bootstrappedRuntime('updlabel', clients);
    const a = await pushImage(ctx, 'a');
    // Act + Assess
    await expect(publishRuntime(ctx, { imageDigest: a, ...FAST })).rejects.toMatchObject({ code: 'LABEL_REFUSED', exitCode: 1 });
  });
});
