/**
 * Issue 12: publish smokes the new version on `canary` before `live` moves; a failed smoke never
 * touches `live` (polled throughout, not only at the end); fast rollback moves `live` to a version
 * that still serves the target with no UpdateAgentRuntime, and falls back to a forward publish
 * when AgentCore no longer has that version; --dry-run prints exactly the steps a run executes.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetAgentRuntimeEndpointCommand,
  ListAgentRuntimeVersionsCommand,
  UpdateAgentRuntimeCommand,
  type ListAgentRuntimeVersionsCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { createClients } from '../../src/aws/clients';
import { listAudit, publishRuntime, rollbackRuntime, runtimeStatus, type RuntimeContext } from '../../src/runtime';
import { failNextRuntimeUpdate, setEndpointUpdateDelay, setRuntimeUpdateDelay } from '../../src/local/moto';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pushImage } from './support';

async function endpointVersion(ctx: RuntimeContext, name: string): Promise<string | undefined> {
  const ep = await ctx.clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: ctx.platform.agentRuntimeId, endpointName: name }));
  return ep.liveVersion;
}

/** Reads live's and canary's liveVersion in a loop until stopped; `marker` tells whether the smoke is running. */
function watchEndpoints(ctx: RuntimeContext, marker?: string) {
  const seen: { live?: string; canary?: string; smoking: boolean }[] = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const [live, canary] = await Promise.all([endpointVersion(ctx, 'live'), endpointVersion(ctx, 'canary')]);
      seen.push({ live, canary, smoking: marker ? existsSync(marker) : false });
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return {
    seen,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

function countUpdates(clients: ReturnType<typeof createClients>): { count: number } {
  const counter = { count: 0 };
  clients.agentcore.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === UpdateAgentRuntimeCommand.name) counter.count++;
      return next(args);
    },
    { step: 'initialize', name: 'countUpdates' },
  );
  return counter;
}

describe('zero-impact publish', () => {
  const moto = useMoto();
  afterEach(async () => {
    await setEndpointUpdateDelay(moto.endpoint(), 0);
    await setRuntimeUpdateDelay(moto.endpoint(), 0);
  });

  it('while endpoints lag (DEFAULT and named move asynchronously), the smoke only ever sees the new version on canary', async () => {
    // Prepare: the runtime is UPDATING for a while, and every endpoint takes a while to move
    const ctx = await bootstrappedRuntime('zilag');
    const a = await pushImage(ctx, 'a');
    const oldLive = await endpointVersion(ctx, 'live');
    const dir = mkdtempSync('/tmp/abca-smoke-');
    const marker = join(dir, 'smoking');
    await setRuntimeUpdateDelay(moto.endpoint(), 0.3);
    await setEndpointUpdateDelay(moto.endpoint(), 0.3);
    const watch = watchEndpoints(ctx, marker);
    // Act
    const result = await publishRuntime(ctx, {
      imageDigest: a,
      smokeCmd: `touch ${marker}; sleep 0.2; rm -f ${marker}`,
      pollIntervalMs: 40,
      timeoutMs: 20_000,
    });
    await watch.stop();
    // Assess: the smoke ran only with canary serving the new version and live the old one
    const during = watch.seen.filter((s) => s.smoking);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((s) => s.canary === result.runtimeVersion && s.live === oldLive)).toBe(true);
    // ...and the endpoints really lagged (what a smoke of DEFAULT right after READY would have hit)
    expect(watch.seen.some((s) => !s.smoking && s.canary === oldLive)).toBe(true);
    expect(await runtimeStatus(ctx)).toMatchObject({ inSync: true, runtime: { digest: a, version: result.runtimeVersion } });
  });

  it('smokes the new version through canary while live stays on the old one, then moves live: pointer, DEFAULT and live agree', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('zigood');
    const a = await pushImage(ctx, 'a');
    const oldLive = await endpointVersion(ctx, 'live');
    const dir = mkdtempSync('/tmp/abca-smoke-');
    const marker = join(dir, 'smoking');
    const watch = watchEndpoints(ctx, marker);
    // Act: the smoke marks itself running, checks what it was given, and holds a moment
    const smokeCmd = `touch ${marker}; test "$RUNTIME_QUALIFIER" = canary && test "$IMAGE_DIGEST" = "${a}" && sleep 0.4; s=$?; rm -f ${marker}; exit $s`;
    const result = await publishRuntime(ctx, { imageDigest: a, smokeCmd, ...FAST });
    await watch.stop();
    // Assess: during the smoke, canary served the new version and live (what tasks invoke) the old one
    const newVersion = result.runtimeVersion!;
    expect(newVersion).not.toBe(oldLive);
    const during = watch.seen.filter((s) => s.smoking);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((s) => s.live === oldLive && s.canary === newVersion)).toBe(true);
    // Assess: live moved only after the smoke, and everything agrees at the end
    expect(watch.seen.map((s) => s.live).filter((v, i, all) => v !== all[i - 1])).toEqual([oldLive, newVersion]);
    const status = await runtimeStatus(ctx);
    expect(status).toMatchObject({
      inSync: true,
      pointer: { digest: a },
      runtime: { digest: a, version: newVersion, status: 'READY' },
      latest: { digest: a, version: newVersion },
    });
    expect(result.executed.map((s) => s.kind)).toEqual([
      'write_pointer',
      'update_runtime',
      'wait_version',
      'move_endpoint',
      'smoke',
      'move_endpoint',
      'labels',
      'audit',
    ]);
  });

  it('a failing smoke never moves live: its liveVersion is the old one at every poll, and the audit says so', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('zibad');
    const good = await pushImage(ctx, 'good');
    const bad = await pushImage(ctx, 'bad');
    await publishRuntime(ctx, { imageDigest: good, ...FAST });
    const liveBefore = await endpointVersion(ctx, 'live');
    const watch = watchEndpoints(ctx);
    // Act
    const failure = await publishRuntime(ctx, { imageDigest: bad, smokeCmd: 'sleep 0.3; exit 1', ...FAST }).catch((e) => e);
    await watch.stop();
    // Assess
    expect(failure).toMatchObject({ code: 'ROLLED_BACK', exitCode: 1, details: { liveMoved: false, liveVersion: liveBefore } });
    expect(watch.seen.length).toBeGreaterThan(3);
    expect(new Set(watch.seen.map((s) => s.live))).toEqual(new Set([liveBefore]));
    // canary saw the bad version and was put back on what live serves
    expect(watch.seen.some((s) => s.canary !== liveBefore)).toBe(true);
    expect(await endpointVersion(ctx, 'canary')).toBe(liveBefore);
    const status = await runtimeStatus(ctx);
    expect(status).toMatchObject({ inSync: true, pointer: { digest: good }, runtime: { digest: good, version: liveBefore }, latest: { digest: good } });
    const [restore, attempt] = await listAudit(ctx);
    expect(attempt).toMatchObject({ action: 'publish', to_digest: bad, outcome: 'rolled_back', live_moved: false, live_version: liveBefore });
    expect(restore).toMatchObject({ action: 'restore', to_digest: good, outcome: 'succeeded', live_moved: false });
  });

  it('a new version that ends UPDATE_FAILED (the emulator fails it) never reaches canary or live, and is restored', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('zifailed');
    const good = await pushImage(ctx, 'good');
    const bad = await pushImage(ctx, 'bad');
    await publishRuntime(ctx, { imageDigest: good, ...FAST });
    const liveBefore = await endpointVersion(ctx, 'live');
    const canaryBefore = await endpointVersion(ctx, 'canary');
    await failNextRuntimeUpdate(moto.endpoint(), ctx.platform.agentRuntimeId, 'image would not start');
    // Act
    const failure = await publishRuntime(ctx, { imageDigest: bad, smokeCmd: 'true', ...FAST }).catch((e) => e);
    // Assess
    expect(failure).toMatchObject({ code: 'ROLLED_BACK', details: { liveMoved: false } });
    expect(failure.message).toContain('UPDATE_FAILED');
    expect(await endpointVersion(ctx, 'live')).toBe(liveBefore);
    expect(await endpointVersion(ctx, 'canary')).toBe(canaryBefore);
    expect(await runtimeStatus(ctx)).toMatchObject({
      inSync: true,
      pointer: { digest: good },
      runtime: { digest: good },
      latest: { digest: good, status: 'READY' },
    });
  });

  it('--dry-run prints exactly the steps the real run then executes', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('zidry');
    const a = await pushImage(ctx, 'a');
    const b = await pushImage(ctx, 'b');
    await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    for (const run of [
      (dryRun: boolean) => publishRuntime(ctx, { imageDigest: a, smokeCmd: 'true', dryRun, ...FAST }),
      (dryRun: boolean) => rollbackRuntime(ctx, { toDigest: b, dryRun, ...FAST }),
    ]) {
      // Act
      const dry = await run(true);
      const real = await run(false);
      // Assess
      expect(dry.outcome).toBe('dry_run');
      expect(dry.executed).toEqual([]);
      expect(real.outcome).toBe('published');
      expect(real.executed).toEqual(dry.plan.steps);
      expect(real.plan.writes).toEqual(dry.plan.writes);
    }
  });
});

describe('fast rollback', () => {
  useMoto();

  it('moves live to a version that still serves the target: no UpdateAgentRuntime, path fast', async () => {
    // Prepare
    const clients = createClients();
    const updates = countUpdates(clients);
    const ctx = await bootstrappedRuntime('frfast', clients);
    const a = await pushImage(ctx, 'a');
    const b = await pushImage(ctx, 'b');
    const pubA = await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    const before = updates.count;
    // Act
    const back = await rollbackRuntime(ctx, { toDigest: a, ...FAST });
    // Assess
    expect(updates.count).toBe(before);
    expect(back).toMatchObject({ outcome: 'published', path: 'fast', to: a, runtimeVersion: pubA.runtimeVersion });
    expect(back.executed.map((s) => s.kind)).toEqual(['write_pointer', 'move_endpoint', 'labels', 'audit']);
    const status = await runtimeStatus(ctx);
    expect(status).toMatchObject({ inSync: true, pointer: { digest: a }, runtime: { digest: a, version: pubA.runtimeVersion }, latest: { digest: b } });
    // DEFAULT still follows the newest version (B): named, but not drift, since nothing invokes it
    expect(status.notes).toEqual([expect.stringContaining('DEFAULT')]);
    expect((await listAudit(ctx))[0]).toMatchObject({ action: 'rollback', path: 'fast', outcome: 'succeeded', live_moved: true });
  });

  it('falls back to a forward publish when AgentCore no longer keeps that version, and says so', async () => {
    // Prepare: AgentCore lists only the latest version (it may delete old ones)
    const clients = createClients();
    const updates = countUpdates(clients);
    let pruned = false;
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (pruned && context.commandName === ListAgentRuntimeVersionsCommand.name) {
          const body = out.output as ListAgentRuntimeVersionsCommandOutput;
          const newest = Math.max(...(body.agentRuntimes ?? []).map((v) => Number(v.agentRuntimeVersion)));
          body.agentRuntimes = (body.agentRuntimes ?? []).filter((v) => Number(v.agentRuntimeVersion) === newest);
        }
        return out;
      },
      { step: 'initialize', name: 'pruneVersions' },
    );
    const ctx = await bootstrappedRuntime('frgone', clients);
    const a = await pushImage(ctx, 'a');
    const b = await pushImage(ctx, 'b');
    await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    pruned = true;
    const before = updates.count;
    // Act
    const back = await rollbackRuntime(ctx, { toDigest: a, ...FAST });
    // Assess
    expect(updates.count).toBe(before + 1);
    expect(back).toMatchObject({ outcome: 'published', path: 'forward', to: a });
    expect(await runtimeStatus(ctx)).toMatchObject({ inSync: true, runtime: { digest: a }, latest: { digest: a } });
    expect((await listAudit(ctx))[0]).toMatchObject({ action: 'rollback', path: 'forward', outcome: 'succeeded' });
  });
});
