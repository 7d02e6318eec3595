/**
 * Drift in the versions themselves: a served version without MMDSv2, and a latest version no
 * operation of ours made (an UpdateAgentRuntime from the console, CDK hotswap or a script).
 * The verdict is pure (assessVersions); the script is run as a child process, as operators run it.
 */
import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand, UpdateAgentRuntimeEndpointCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { buildUpdateRequest } from '../../src/runtime/agent-runtime';
import { runtimeStatus } from '../../src/runtime';
import { endpointNames, getEndpoint, versionDigest, waitEndpointServes } from '../../src/runtime/endpoints';
import { assessVersions, auditedVersions } from '../../src/runtime/verbs/status/drift';
import { reapplyPointer } from '../../src/runtime/verbs/reapply';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, FAST } from './support';

describe('assessVersions (pure)', () => {
  const ours = new Set(['2', '3']);

  it('is silent when every served version requires MMDSv2 and the latest is ours', () => {
    expect(
      assessVersions('dev', { latest: { version: '3', mmdsv2: true }, live: { version: '3', mmdsv2: true }, canary: { version: '3', mmdsv2: true }, ours }),
    ).toEqual({ drift: [], foreignLatest: false });
  });

  it('names a served version without MMDSv2, per endpoint, with the re-apply that fixes it', () => {
    const verdict = assessVersions('dev', {
      latest: { version: '3', mmdsv2: true },
      live: { version: '1', mmdsv2: false },
      canary: { version: '2', mmdsv2: false },
      ours,
    });
    expect(verdict.drift).toEqual([
      expect.stringMatching(/^version 1 served by endpoint live is not MMDSv2-enabled/),
      expect.stringMatching(/^version 2 served by endpoint canary is not MMDSv2-enabled/),
    ]);
    expect(verdict.fix).toBe('bgagent runtime reapply --env dev');
  });

  it('a latest version the audit does not name is foreign; unknown MMDSv2 (version gone) is not drift', () => {
    const verdict = assessVersions('dev', { latest: { version: '4', mmdsv2: true }, live: { version: '3' }, ours });
    expect(verdict.foreignLatest).toBe(true);
    expect(verdict.drift).toEqual([expect.stringMatching(/^runtime version 4 \(the latest\) was made outside the pipeline/)]);
    expect(verdict.fix).toBe('bgagent runtime reapply --env dev');
  });

  it('without audit events there is no telling whose a version is: no foreign verdict', () => {
    expect(assessVersions('dev', { latest: { version: '4', mmdsv2: true }, ours: undefined }).foreignLatest).toBe(false);
    expect(assessVersions('dev', { latest: { version: '4', mmdsv2: true }, ours: new Set() }).foreignLatest).toBe(false);
  });

  it('auditedVersions takes both the version an operation made and the one it left live on', () => {
    expect([...auditedVersions([{ runtime_version: '5', live_version: '4' }, { live_version: '2' }, {}])].sort()).toEqual(['2', '4', '5']);
  });
});

describe('runtime-status: version drift through the script', () => {
  useMoto();

  it('an UpdateAgentRuntime from outside the pipeline is drift (exit 3), naming the version and the fix; the fix holds', async () => {
    // Prepare: a console edit (same image, MMDSv2 kept): a new latest version none of ours made
    const ctx = await bootstrappedRuntime('stforeign');
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const uri = live.agentRuntimeArtifact!.containerConfiguration!.containerUri!;
    const foreign = await ctx.clients.agentcore.send(
      new UpdateAgentRuntimeCommand({ ...buildUpdateRequest(live, uri, 'console-edit-00000000000000000000000'), description: 'edited in the console' }),
    );
    // Act
    const run = await runTsx('scripts/runtime-status.ts', ['--env', 'stforeign']);
    const json = JSON.parse((await runTsx('scripts/runtime-status.ts', ['--env', 'stforeign', '--json'])).stdout);
    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('DRIFT');
    expect(run.stdout).toContain(`runtime version ${foreign.agentRuntimeVersion} (the latest) was made outside the pipeline`);
    expect(run.stdout).toContain('fix:   bgagent runtime reapply --env stforeign');
    expect(run.stdout).not.toContain('expected after a fast rollback');
    expect(json).toMatchObject({ inSync: false, versions: { foreignLatest: true, latest: { version: foreign.agentRuntimeVersion } } });
    // Act: the fix it names (what `bgagent runtime reapply` runs)
    await reapplyPointer(ctx, FAST);
    const again = await runTsx('scripts/runtime-status.ts', ['--env', 'stforeign']);
    // Assess
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('in sync');
  });

  it('live on a version without MMDSv2 is drift (exit 3) naming the version; re-apply brings live and canary onto an MMDSv2 one', async () => {
    // Prepare: live back on the version Terraform created (no metadataConfiguration)
    const ctx = await bootstrappedRuntime('stmmds');
    const names = endpointNames(ctx);
    const terraformMade = '1';
    expect((await versionDigest(ctx, terraformMade))?.mmdsv2).toBe(false);
    for (const name of [names.live, names.canary]) {
      await ctx.clients.agentcore.send(
        new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: ctx.platform.agentRuntimeId, endpointName: name, agentRuntimeVersion: terraformMade }),
      );
      await waitEndpointServes(ctx, name, terraformMade, FAST);
    }
    // Act
    const run = await runTsx('scripts/runtime-status.ts', ['--env', 'stmmds']);
    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`version ${terraformMade} served by endpoint live is not MMDSv2-enabled`);
    expect(run.stdout).toContain(`version ${terraformMade} served by endpoint canary is not MMDSv2-enabled`);
    expect(run.stdout).toContain('fix:   bgagent runtime reapply --env stmmds');
    // Act: the fix
    await reapplyPointer(ctx, FAST);
    // Assess
    const [liveEp, canaryEp] = await Promise.all([getEndpoint(ctx, names.live), getEndpoint(ctx, names.canary)]);
    expect(liveEp.liveVersion).not.toBe(terraformMade);
    expect(canaryEp.liveVersion).toBe(liveEp.liveVersion);
    expect((await versionDigest(ctx, liveEp.liveVersion!))?.mmdsv2).toBe(true);
    expect((await runtimeStatus(ctx)).inSync).toBe(true);
  });
});
