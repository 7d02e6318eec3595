import { UpdateAgentRuntimeCommand, GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { buildUpdateRequest, waitReady } from '../../src/runtime/agent-runtime';
import { hideNextRuntimeVersion } from '../../src/local/moto';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, pushImage } from './support';

/** moto's state manager: the runtime leaves UPDATING only after `reads` GetAgentRuntime calls. */
async function holdUpdatingFor(endpoint: string, reads: number): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'bedrock-agentcore-control::agent_runtime', transition: { progression: 'manual', times: reads } }),
  });
  expect(res.ok).toBe(true);
}

async function releaseHold(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/moto-api/state-manager/unset-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'bedrock-agentcore-control::agent_runtime' }),
  });
}

describe('waitReady', () => {
  const moto = useMoto();
  // A manual hold left in place would keep the next test's new runtime CREATING.
  afterEach(() => releaseHold(moto.endpoint()));

  it('polls at a quarter of the interval first, then doubles, never waiting longer than one interval', async () => {
    // Prepare: an update the emulator keeps UPDATING for 6 reads
    const ctx = await bootstrappedRuntime('waitsched');
    const digest = await pushImage(ctx, 'w');
    await holdUpdatingFor(moto.endpoint(), 6);
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    await ctx.clients.agentcore.send(new UpdateAgentRuntimeCommand(buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${digest}`, 'w'.repeat(40))));
    const sleeps: number[] = [];
    const seen: (string | undefined)[] = [];
    // Act
    const ready = await waitReady(ctx, {
      timeoutMs: 60_000,
      pollIntervalMs: 800,
      sleep: async (ms) => void sleeps.push(ms),
      onPoll: (status) => seen.push(status),
    });
    // Assess
    expect(ready.status).toBe('READY');
    expect(seen.at(-1)).toBe('READY');
    expect(seen.slice(0, -1).every((s) => s === 'UPDATING')).toBe(true);
    expect(sleeps.slice(0, 4)).toEqual([200, 400, 800, 800]);
    expect(Math.max(...sleeps)).toBe(800);
    expect(sleeps).toHaveLength(seen.length - 1);
  });

  it('tolerates GetAgentRuntime answering ResourceNotFound for the version just created (eventual consistency)', async () => {
    // Prepare: the new version is invisible to its first 3 reads, as a fresh AWS version can be
    const ctx = await bootstrappedRuntime('waitnf');
    const digest = await pushImage(ctx, 'nf');
    await hideNextRuntimeVersion(moto.endpoint(), ctx.platform.agentRuntimeId, { calls: 3 });
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const out = await ctx.clients.agentcore.send(
      new UpdateAgentRuntimeCommand(buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${digest}`, 'n'.repeat(40))),
    );
    const seen: (string | undefined)[] = [];
    // Act
    const ready = await waitReady(ctx, { timeoutMs: 10_000, pollIntervalMs: 20, version: out.agentRuntimeVersion, onPoll: (s) => seen.push(s) });
    // Assess: three reads saw nothing, then the exact version READY
    expect(ready.agentRuntimeVersion).toBe(out.agentRuntimeVersion);
    expect(ready.status).toBe('READY');
    expect(seen.slice(0, 3)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
  });

  it('fails (RUNTIME_TIMEOUT) when the version stays invisible past the grace period', async () => {
    // Prepare: the new version stays invisible for a minute
    const ctx = await bootstrappedRuntime('waitnf2');
    const digest = await pushImage(ctx, 'nf2');
    await hideNextRuntimeVersion(moto.endpoint(), ctx.platform.agentRuntimeId, { seconds: 60 });
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const out = await ctx.clients.agentcore.send(
      new UpdateAgentRuntimeCommand(buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${digest}`, 'm'.repeat(40))),
    );
    // Act
    const started = Date.now();
    const failed = await waitReady(ctx, { timeoutMs: 10_000, pollIntervalMs: 20, notFoundGraceMs: 300, version: out.agentRuntimeVersion }).catch(
      (e: unknown) => e,
    );
    // Assess: bounded by the grace period, not the whole timeout
    expect(failed).toMatchObject({ code: 'RUNTIME_TIMEOUT', message: expect.stringMatching(/not found/) });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
