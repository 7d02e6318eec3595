/**
 * scripts/smoke-runtime.ts as publish-runtime runs it: a child process, with RUNTIME_ARN,
 * RUNTIME_QUALIFIER and IMAGE_DIGEST in its environment, through InvokeAgentRuntime on the local
 * data plane (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, inherited), against agents started per image.
 */
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
import type { PlatformConfig } from '../../src/platform/platform-config';
import { containerUri } from '../../src/platform/runtime-spec';
import { buildUpdateRequest } from '../../src/runtime/agent-runtime';
import { identityChecks } from '../../src/tasks/smoke';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';

const COMMIT = '3f2a1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49';
const OTHER = `sha256:${'e'.repeat(64)}`;
const SCRIPT = 'scripts/smoke-runtime.ts';

describe('smoke-runtime script', () => {
  useMoto();
  useDataPlane({ agentEnv: { GIT_COMMIT: COMMIT } });
  const clients = createClients();
  let platform: PlatformConfig;
  let first: string;
  let second: string;
  let bad: string;

  /** A new runtime version on `digest`, served by a new endpoint `name`. */
  async function versionOn(digest: string, name: string): Promise<string> {
    const live = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    const request = buildUpdateRequest(live, containerUri(platform.ecrRepositoryUrl, digest), `smoke-${name}-token-0123456789abcdef`);
    delete (request.networkConfiguration?.networkModeConfig as Record<string, unknown> | undefined)?.requireServiceS3Endpoint;
    const out = await clients.agentcore.send(new UpdateAgentRuntimeCommand(request));
    await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    // The bootstrap creates `live` and `canary`, as the stack does: move those, create any other.
    const exists = await clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: name })).then(
      () => true,
      () => false,
    );
    if (exists)
      await clients.agentcore.send(
        new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: name, agentRuntimeVersion: out.agentRuntimeVersion }),
      );
    else
      await clients.agentcore.send(
        new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, name, agentRuntimeVersion: out.agentRuntimeVersion }),
      );
    await clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: platform.agentRuntimeId, endpointName: name }));
    return out.agentRuntimeVersion!;
  }

  beforeAll(async () => {
    ({ platform } = await bootstrapLocal({ env: 'smoke', clients }));
    const runtime = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    first = runtime.agentRuntimeArtifact!.containerConfiguration!.containerUri!.split('@')[1]!;
    second = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, 'smoke-second');
    bad = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, 'smoke-bad', 'smoke-bad', { [FAULT_ANNOTATION]: 'unhealthy' });
    await versionOn(second, 'canary');
    await versionOn(bad, 'badcanary');
  });

  const publishEnv = (qualifier: string, digest: string) => ({
    RUNTIME_ARN: platform.agentRuntimeArn,
    RUNTIME_VERSION: '2',
    RUNTIME_QUALIFIER: qualifier,
    IMAGE_DIGEST: digest,
  });

  it('exits 0 when the qualifier it is given answers healthy with the published digest and the expected commit', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'smoke', '--expect-commit', COMMIT.slice(0, 7), '--json'], { env: publishEnv('canary', second) });
    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, env: 'smoke', invoker: 'agentcore', target: platform.agentRuntimeArn, agent: { commit: COMMIT, digest: second } });
    expect(report.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['ping', true],
      ['version', true],
      ['commit', true],
      ['digest', true],
    ]);
  });

  it('exits 1 when the qualifier serves another image than IMAGE_DIGEST (live still on the first)', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'smoke', '--json'], { env: publishEnv('live', second) });
    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, agent: { digest: first }, error: { code: 'SMOKE_FAILED', details: { failed: ['digest'] } } });
  });

  it('exits 1 naming the check when another build answers (publish then rolls back)', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'smoke', '--expect-commit', 'deadbeefcafe'], { env: publishEnv('canary', second) });
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('[FAIL] commit');
    expect(run.stdout).toContain('the new image is not the one answering');
    expect(run.stderr).toContain('error: SMOKE_FAILED: smoke check failed: commit');
  });

  it('exits 1 on a bad image: its agent never becomes healthy (RuntimeClientError)', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'smoke', '--json'], { env: publishEnv('badcanary', bad) });
    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, checks: [{ name: 'ping', ok: false, detail: expect.stringContaining('RuntimeClientError') }] });
  });

  it('exits 2 on a malformed --expect-digest or IMAGE_DIGEST, before invoking anything; an unknown env exits 2', async () => {
    // Act
    const flag = await runTsx(SCRIPT, ['--env', 'smoke', '--expect-digest', 'latest', '--json']);
    const env = await runTsx(SCRIPT, ['--env', 'smoke', '--json'], { env: { IMAGE_DIGEST: 'latest' } });
    const unknown = await runTsx(SCRIPT, ['--env', 'nosuchenv']);
    // Assess
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_DIGEST' } });
    expect(env.code).toBe(2);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('UNKNOWN_ENV');
  });

  it('without a data plane (moto only) it exits 1 with a hint', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'smoke', '--json'], { env: { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: '', IMAGE_DIGEST: OTHER } });
    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).checks[0].detail).toContain('AWS_ENDPOINT_URL_BEDROCK_AGENTCORE is not');
  });
});

describe('smoke identity checks', () => {
  it('an expected digest fails on an agent that reports no digest', () => {
    // Act
    const [, digest] = identityChecks({ version: '1', commit: COMMIT, digest: null }, { digest: OTHER });
    // Assess
    expect(digest).toMatchObject({ name: 'digest', ok: false });
  });

  it('a commit prefix shorter than 7 characters does not match', () => {
    // Act
    const [commit] = identityChecks({ version: '1', commit: COMMIT, digest: null }, { commit: COMMIT.slice(0, 6) });
    // Assess
    expect(commit).toMatchObject({ name: 'commit', ok: false });
  });
});
