/**
 * The bake window: the verdict is pure (judgeBake over versionFigures); the watcher gathers task
 * rows and, on a breach, moves live back on the fast path with the reason in the audit.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../src/aws/clients';
import { defaultReleasePolicy, releasePolicyParameter, type BakePolicy } from '../../src/platform/release-policy';
import { listAudit, publishRuntime, type RuntimeContext } from '../../src/runtime';
import { judgeBake, versionFigures, type BakeTask, type VersionFigures } from '../../src/runtime/bake';
import { getEndpoint } from '../../src/runtime/endpoints';
import { bakeRuntime, bakeTargetFromAudit } from '../../src/runtime/verbs/bake';
import type { RuntimeAuditEvent } from '../../src/runtime/audit';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pushImage } from './support';

const POLICY: BakePolicy = { ...defaultReleasePolicy().bake, min_tasks: 4, max_failure_rate_increase: 0.25 };
const fig = (over: Partial<VersionFigures> = {}): VersionFigures => ({
  version: '3',
  started: 0,
  finished: 0,
  failed: 0,
  lost_heartbeats: 0,
  dispatch_errors: 0,
  ...over,
});
const task = (over: Partial<BakeTask>): BakeTask => ({
  task_id: `task-${Math.random().toString(16).slice(2)}`,
  status: 'COMPLETED',
  runtime_version: '3',
  runtime_qualifier: 'live',
  started_at: '2026-12-03T10:05:00.000Z',
  submitted_by: 'user:a',
  ...over,
});

describe('bake: the verdict (pure)', () => {
  it('a failure rate over the previous one by more than the policy allows is a breach, once min_tasks finished', () => {
    // Act
    const early = judgeBake({
      candidate: fig({ started: 3, finished: 3, failed: 3 }),
      previous: fig({ version: '2', finished: 10 }),
      policy: POLICY,
      windowOver: false,
    });
    const breach = judgeBake({
      candidate: fig({ started: 4, finished: 4, failed: 2 }),
      previous: fig({ version: '2', finished: 10, failed: 1 }),
      policy: POLICY,
      windowOver: false,
    });
    const within = judgeBake({
      candidate: fig({ started: 4, finished: 4, failed: 2 }),
      previous: fig({ version: '2', finished: 10, failed: 3 }),
      policy: POLICY,
      windowOver: true,
    });
    // Assess
    expect(early).toEqual({ kind: 'watching' });
    expect(breach).toEqual({ kind: 'breach', reasons: ['failure rate 50% (2/4) against 10% (1/10) on version 2: more than +25%'] });
    expect(within).toEqual({ kind: 'passed' });
  });

  it('a lost heartbeat or a dispatch error breaches at once, whatever the traffic', () => {
    const lost = judgeBake({ candidate: fig({ started: 1, finished: 1, failed: 1, lost_heartbeats: 1 }), previous: fig(), policy: POLICY, windowOver: false });
    const dispatch = judgeBake({
      candidate: fig({ started: 1, finished: 1, failed: 1, dispatch_errors: 1 }),
      previous: fig(),
      policy: POLICY,
      windowOver: false,
    });
    expect(lost).toEqual({ kind: 'breach', reasons: ['1 task(s) lost their heartbeat (limit 0)'] });
    expect(dispatch).toEqual({ kind: 'breach', reasons: ['1 task(s) could not be started (limit 0)'] });
  });

  it('too few tasks by the end of the window is "not enough traffic", neither passed nor failed', () => {
    expect(judgeBake({ candidate: fig({ started: 3, finished: 3 }), previous: fig(), policy: POLICY, windowOver: true })).toEqual({
      kind: 'not_enough_traffic',
      started: 3,
      needed: 4,
    });
    expect(judgeBake({ candidate: fig({ started: 3, finished: 3 }), previous: fig(), policy: POLICY, windowOver: false })).toEqual({ kind: 'watching' });
  });

  it("counts only users' tasks started on live at that version within the period, and classifies failures by their reason", () => {
    // Prepare
    const tasks = [
      task({}),
      task({ status: 'FAILED', status_reason: 'no heartbeat from the agent for 200 s (threshold 180 s): the agent stopped or its session ended' }),
      task({ status: 'FAILED', status_reason: 'the agent session could not be started: InvokeAgentRuntime … failed' }),
      task({ status: 'FAILED', status_reason: 'agent: the plan needs 5 turns' }),
      task({ status: 'RUNNING' }),
      task({ runtime_version: '2' }),
      task({ runtime_qualifier: 'canary' }),
      task({ submitted_by: 'release-check:prod' }),
      task({ started_at: '2026-12-03T09:59:59.000Z' }),
    ];
    // Act
    const figures = versionFigures(tasks, '3', '2026-12-03T10:00:00.000Z');
    // Assess
    expect(figures).toEqual({ version: '3', started: 5, finished: 4, failed: 3, lost_heartbeats: 1, dispatch_errors: 1 });
  });

  it('bake finds its target in the audit: the newest publish that moved live to what it serves, and the version before', () => {
    // Prepare
    const ev = (id: string, over: Partial<RuntimeAuditEvent>): RuntimeAuditEvent => ({
      stream: 'runtime#x',
      event_id: id,
      at: id,
      action: 'publish',
      actor: 't',
      to_digest: 'sha256:b',
      outcome: 'succeeded',
      ...over,
    });
    const events = [
      ev('2026-12-03T10:00:00Z#1', { to_digest: 'sha256:a', live_moved: true, live_version: '2' }),
      ev('2026-12-03T10:05:00Z#2', { from_digest: 'sha256:a', to_digest: 'sha256:c', outcome: 'rolled_back', live_moved: false, live_version: '2' }),
      ev('2026-12-03T10:10:00Z#3', { from_digest: 'sha256:a', live_moved: true, live_version: '4' }),
    ];
    // Act / Assess
    expect(bakeTargetFromAudit(events, '4')).toEqual({
      version: '4',
      digest: 'sha256:b',
      previousDigest: 'sha256:a',
      previousVersion: '2',
      since: '2026-12-03T10:10:00Z#3',
    });
    expect(bakeTargetFromAudit(events, '2')).toBeUndefined();
  });
});

describe('bake: watching a version after live moved', () => {
  useMoto();
  const clients = createClients();
  const tasksTable = (ctx: RuntimeContext) => (ctx.platform as unknown as { tables: { tasks: string } }).tables.tasks;
  let n = 0;
  /** A task row as startTask and the agent leave it (the watcher reads rows, whoever wrote them). */
  const putTask = (ctx: RuntimeContext, version: string, status: 'COMPLETED' | 'FAILED', reason?: string) => {
    const at = new Date().toISOString();
    return clients.doc.send(
      new PutCommand({
        TableName: tasksTable(ctx),
        Item: {
          task_id: `task-${String(++n).padStart(32, '0')}`,
          repo: 'acme/app',
          description: 'x',
          status,
          ...(reason ? { status_reason: reason } : {}),
          request_hash: 'h',
          submitted_by: 'user:a',
          created_at: at,
          updated_at: at,
          started_at: at,
          finished_at: at,
          runtime_version: version,
          runtime_qualifier: 'live',
          version: 2,
        },
      }),
    );
  };
  const setBake = (ctx: RuntimeContext, bake: Partial<BakePolicy>) =>
    clients.ssm.send(new PutParameterCommand({ Name: releasePolicyParameter(ctx.env), Value: JSON.stringify({ bake }), Type: 'String', Overwrite: true }));

  it('a version that starts failing tasks after live moved is rolled back within the window, fast path, and the audit says why', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('bakebad', clients);
    const a = await pushImage(ctx, 'a');
    const b = await pushImage(ctx, 'b');
    const pubA = await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await setBake(ctx, { window_minutes: 10, min_tasks: 2, max_failure_rate_increase: 0.2 });
    const pubB = await publishRuntime(ctx, { imageDigest: b, ...FAST });
    await putTask(ctx, pubA.runtimeVersion!, 'COMPLETED');
    await putTask(ctx, pubB.runtimeVersion!, 'FAILED', 'agent: crashed');
    await putTask(ctx, pubB.runtimeVersion!, 'FAILED', 'agent: crashed');
    // Act
    const breach = await bakeRuntime(ctx, { bakePollMs: 20, ...FAST }).catch((e: unknown) => e);
    // Assess
    expect(breach).toMatchObject({ code: 'BAKE_BREACH', details: { rollback: { to: a, runtimeVersion: pubA.runtimeVersion, path: 'fast' } } });
    expect((await getEndpoint(ctx, ctx.platform.liveEndpoint)).liveVersion).toBe(pubA.runtimeVersion);
    const [newest] = await listAudit(ctx, 1);
    expect(newest).toMatchObject({ action: 'rollback', to_digest: a, outcome: 'succeeded', path: 'fast', live_version: pubA.runtimeVersion });
    expect(newest!.reason).toMatch(/^automatic rollback: bake breach on version \d+: failure rate 100% \(2\/2\)/);
  });

  it('a quiet window ends "not enough traffic" and leaves live where it is; publish --bake runs the same watch', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('bakequiet', clients);
    const a = await pushImage(ctx, 'a');
    await setBake(ctx, { window_minutes: 10, min_tasks: 3 });
    // Act
    const result = await publishRuntime(ctx, { imageDigest: a, bake: true, bakePollMs: 20, windowMs: 300, ...FAST });
    // Assess
    expect(result.bake).toMatchObject({ verdict: 'not_enough_traffic', candidate: { started: 0 } });
    expect((await getEndpoint(ctx, ctx.platform.liveEndpoint)).liveVersion).toBe(result.runtimeVersion);
  });

  it('nothing to bake when live was not moved by the newest publish', async () => {
    const ctx = await bootstrappedRuntime('bakenone', clients);
    await expect(bakeRuntime(ctx, { bakePollMs: 20 })).rejects.toMatchObject({ code: 'NOTHING_TO_BAKE' });
  });
});
