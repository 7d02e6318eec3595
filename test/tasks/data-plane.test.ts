/**
 * The local AgentCore data plane, through the SDK as production code calls it: routing by runtime
 * ARN and qualifier (endpoint → liveVersion → that version's image → an agent started for it),
 * sessions pinned to their process, StopRuntimeSession, a deliberately bad image, and errors shaped
 * like AWS's.
 */
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand, StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import {
  CreateAgentRuntimeEndpointCommand,
  GetAgentRuntimeCommand,
  GetAgentRuntimeEndpointCommand,
  UpdateAgentRuntimeCommand,
  UpdateAgentRuntimeEndpointCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { createClients } from '../../src/aws/clients';
import { FAULT_ANNOTATION } from '../../src/local/data-plane/runtimes';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { pushLocalImage } from '../../src/local/images';
import { isAlive, setRuntimeUpdateDelay } from '../../src/local/moto';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { CANARY_ENDPOINT, containerUri, LIVE_ENDPOINT } from '../../src/platform/runtime-spec';
import { buildUpdateRequest } from '../../src/runtime/agent-runtime';
import { AgentCoreInvoker } from '../../src/tasks/invoker';
import { useDataPlane } from '../support/data-plane';
import { motoEndpoint, useMoto } from '../support/moto';
import { rejectionOf } from './support';

const session = (n: number) => `dataplane-session-${String(n).padStart(20, '0')}`;

describe('local AgentCore data plane', () => {
  useMoto();
  const plane = useDataPlane();
  const clients = createClients();
  let platform: PlatformConfig;
  let firstDigest: string;
  /** The version live serves after bootstrap (its re-apply made it, MMDSv2-enabled), and the one the first test publishes. */
  let startVersion: string;
  let published: string;

  async function publish(digest: string): Promise<string> {
    const live = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    const request = buildUpdateRequest(live, containerUri(platform.ecrRepositoryUrl, digest), `token-${digest.slice(7, 40)}`);
    // Reported by GetAgentRuntime, refused by UpdateAgentRuntime (the runtime engineer's publish handles it).
    delete (request.networkConfiguration?.networkModeConfig as Record<string, unknown> | undefined)?.requireServiceS3Endpoint;
    const out = await clients.agentcore.send(new UpdateAgentRuntimeCommand(request));
    // READY at the next read
    await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    return out.agentRuntimeVersion!;
  }

  const version = (qualifier: string | undefined, sessionId: string) =>
    new AgentCoreInvoker({ runtimeArn: platform.agentRuntimeArn, qualifier }).invoke({ sessionId, payload: { action: 'version' } }) as Promise<{
      digest: string | null;
    }>;

  beforeAll(async () => {
    await setRuntimeUpdateDelay(motoEndpoint(), 0);
    ({ platform } = await bootstrapLocal({ env: 'dataplane', clients }));
    const runtime = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    firstDigest = runtime.agentRuntimeArtifact!.containerConfiguration!.containerUri!.split('@')[1]!;
    startVersion = runtime.agentRuntimeVersion!;
  });

  it('routes by qualifier to the image of the version each endpoint serves, as versions change', async () => {
    // Prepare: the next version on a new image; canary on it, live stays on the start version
    const second = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, 'dp-second');
    const v2 = (published = await publish(second));
    await clients.agentcore.send(
      new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: CANARY_ENDPOINT, agentRuntimeVersion: v2 }),
    );
    await clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: CANARY_ENDPOINT }));
    // Act
    const onLive = await version(LIVE_ENDPOINT, session(1));
    const onCanary = await version(CANARY_ENDPOINT, session(2));
    // Assess
    expect(v2).toBe(String(Number(startVersion) + 1));
    expect(onLive.digest).toBe(firstDigest);
    expect(onCanary.digest).toBe(second);
    const sessions = plane().sessions();
    expect(sessions.find((s) => s.sessionId === session(1))).toMatchObject({ qualifier: LIVE_ENDPOINT, version: startVersion, digest: firstDigest });
    expect(sessions.find((s) => s.sessionId === session(2))).toMatchObject({ qualifier: CANARY_ENDPOINT, version: v2, digest: second });
  });

  it('keeps a session on the process that first served it; StopRuntimeSession ends exactly that session', async () => {
    // Prepare
    const client = new BedrockAgentCoreClient({});
    const before = plane()
      .sessions()
      .find((s) => s.sessionId === session(1))!;
    // Act
    const again = await version(LIVE_ENDPOINT, session(1));
    const stopped = await client.send(
      new StopRuntimeSessionCommand({ agentRuntimeArn: platform.agentRuntimeArn, runtimeSessionId: session(1), qualifier: LIVE_ENDPOINT }),
    );
    const twice = await rejectionOf(client.send(new StopRuntimeSessionCommand({ agentRuntimeArn: platform.agentRuntimeArn, runtimeSessionId: session(1) })));
    // Assess
    expect(again.digest).toBe(firstDigest);
    expect(stopped.runtimeSessionId).toBe(session(1));
    expect(twice.name).toBe('ResourceNotFoundException');
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).not.toContain(session(1));
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).toContain(session(2));
    expect(() => process.kill(before.pid, 0)).toThrow();
    expect(
      plane()
        .calls.filter((c) => c.operation === 'StopRuntimeSession')
        .map((c) => c.status),
    ).toEqual([200, 404]);
  });

  it('when live moves to a new version, new sessions get its image; a session already open stays on the one it started with', async () => {
    // Prepare: a session on live (the start version), then live moved to the published one
    const before = await version(LIVE_ENDPOINT, session(6));
    await clients.agentcore.send(
      new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: LIVE_ENDPOINT, agentRuntimeVersion: published }),
    );
    for (let i = 0; i < 50; i++) {
      const ep = await clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: LIVE_ENDPOINT }));
      if (ep.liveVersion === published) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Act
    const pinned = await version(LIVE_ENDPOINT, session(6));
    const fresh = await version(LIVE_ENDPOINT, session(7));
    // Assess
    expect(before.digest).toBe(firstDigest);
    expect(pinned.digest).toBe(firstDigest);
    expect(fresh.digest).not.toBe(firstDigest);
    expect(
      plane()
        .sessions()
        .find((s) => s.sessionId === session(7)),
    ).toMatchObject({ version: published });
  });

  it('a bad image (annotated faulty) never becomes healthy: RuntimeClientError 424', async () => {
    // Prepare
    const bad = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, 'dp-bad', 'dp-bad', { [FAULT_ANNOTATION]: 'unhealthy' });
    const v3 = await publish(bad);
    await clients.agentcore.send(
      new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, name: 'badcanary', agentRuntimeVersion: v3 }),
    );
    await clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: 'badcanary' }));
    // Act
    const error = await rejectionOf(
      new BedrockAgentCoreClient({ maxAttempts: 1 }).send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: platform.agentRuntimeArn,
          qualifier: 'badcanary',
          runtimeSessionId: session(3),
          payload: new TextEncoder().encode('{"action":"ping"}'),
        }),
      ),
    );
    // Assess
    expect(error.name).toBe('RuntimeClientError');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(424);
    expect(String(error.message)).toContain('not healthy');
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).not.toContain(session(3));
  });

  it.each([
    ['idle for idleRuntimeSessionTimeout', { idleRuntimeSessionTimeout: 1 }],
    ['older than maxLifetime (never idle that long)', { idleRuntimeSessionTimeout: 900, maxLifetime: 1 }],
  ])('ends a session %s, as AgentCore does', async (_what, lifecycle) => {
    // Prepare: a data plane of its own with short limits
    const { startAgentCoreDataPlane } = await import('../../src/local/agentcore-data-plane');
    const quick = await startAgentCoreDataPlane({ controlEndpoint: motoEndpoint(), lifecycle });
    const saved = process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE;
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = quick.endpoint;
    try {
      await version(LIVE_ENDPOINT, session(9));
      const pid = quick.sessions()[0]!.pid;
      // Act: wait for the sweep to end it
      const alive = () => isAlive(pid);
      for (let i = 0; i < 100 && (quick.sessions().length > 0 || alive()); i++) await new Promise((r) => setTimeout(r, 100));
      // Assess
      expect(quick.sessions()).toEqual([]);
      expect(alive()).toBe(false);
    } finally {
      process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = saved;
      await quick.stop();
    }
  });

  it('answers bad requests as AWS does: unknown runtime or endpoint 404, short session id 400 ValidationException', async () => {
    // Prepare
    const client = new BedrockAgentCoreClient({ maxAttempts: 1 });
    const payload = new TextEncoder().encode('{"action":"ping"}');
    const unknownArn = platform.agentRuntimeArn.replace(/runtime\/.*/, 'runtime/nosuch_runtime-0123456789');
    // Act
    const noRuntime = await rejectionOf(client.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: unknownArn, runtimeSessionId: session(4), payload })));
    const noEndpoint = await rejectionOf(
      client.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: platform.agentRuntimeArn, qualifier: 'nosuch', runtimeSessionId: session(4), payload })),
    );
    const shortSession = await rejectionOf(
      client.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: platform.agentRuntimeArn, runtimeSessionId: 'too-short', payload })),
    );
    // Assess
    expect(noRuntime.name).toBe('ResourceNotFoundException');
    expect(noEndpoint.name).toBe('ResourceNotFoundException');
    expect(shortSession.name).toBe('ValidationException');
    expect((shortSession.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });

  it('refuses to invoke a version that is not MMDSv2-enabled: 400 ValidationException, as AgentCore does since 2026-06-30', async () => {
    // Prepare: a version made as Terraform makes one (no metadataConfiguration), behind an endpoint of its own
    const live = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    const request = buildUpdateRequest(live, containerUri(platform.ecrRepositoryUrl, firstDigest), 'token-no-mmds-0000000000000000000000');
    delete request.metadataConfiguration;
    const made = await clients.agentcore.send(new UpdateAgentRuntimeCommand(request));
    await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    await clients.agentcore.send(
      new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, name: 'nommds', agentRuntimeVersion: made.agentRuntimeVersion }),
    );
    await clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: 'nommds' }));
    // Act
    const error = await rejectionOf(
      new BedrockAgentCoreClient({ maxAttempts: 1 }).send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: platform.agentRuntimeArn,
          qualifier: 'nommds',
          runtimeSessionId: session(10),
          payload: new TextEncoder().encode('{"action":"ping"}'),
        }),
      ),
    );
    const served = await version(LIVE_ENDPOINT, session(11));
    // Assess: refused before any session starts; live (MMDSv2-enabled) still serves
    expect(error.name).toBe('ValidationException');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    expect(String(error.message)).toBe('This runtime is not MMDSv2-enabled');
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).not.toContain(session(10));
    expect(served.digest).toMatch(/^sha256:/);
  });
});
