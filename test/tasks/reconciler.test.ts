/**
 * The reconciler against moto and real agents behind the local data plane: a killed agent ends
 * FAILED with a reason, a session AgentCore no longer has is noticed early, a lost dispatch is
 * started, and two runs at once act once.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decide, DEFAULT_RECONCILER_SETTINGS, reconcileTasks, startReconcilerLoop, type ReconcilerSettings } from '../../src/tasks/reconciler';
import { getTask, startTask, submitTask } from '../../src/tasks/orchestrator';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { taskBed, TEST_AGENT_ENV, type TaskBed } from './support';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

describe('reconciler decisions', () => {
  const s = DEFAULT_RECONCILER_SETTINGS;
  it.each([
    ['a fresh SUBMITTED task', { status: 'SUBMITTED', created_at: iso(0) }, s.redispatchAfterMs - 1, 'none'],
    ['a SUBMITTED task past the grace period', { status: 'SUBMITTED', created_at: iso(0) }, s.redispatchAfterMs, 'redispatch'],
    ['a RUNNING task heartbeating', { status: 'RUNNING', created_at: iso(0), started_at: iso(0), heartbeat_at: iso(1000) }, 30_000, 'none'],
    ['a RUNNING task whose heartbeat is late', { status: 'RUNNING', created_at: iso(0), started_at: iso(0), heartbeat_at: iso(0) }, s.probeAfterMs, 'probe'],
    [
      'a RUNNING task silent past the threshold',
      { status: 'RUNNING', created_at: iso(0), started_at: iso(0), heartbeat_at: iso(0) },
      s.heartbeatThresholdMs,
      'fail',
    ],
    [
      'a RUNNING task past the 8-hour lifetime',
      { status: 'RUNNING', created_at: iso(0), started_at: iso(0), heartbeat_at: iso(s.maxLifetimeMs) },
      s.maxLifetimeMs,
      'fail',
    ],
    ['a finished task', { status: 'COMPLETED', created_at: iso(0) }, s.maxLifetimeMs * 2, 'none'],
  ] as const)('%s', (_what, task, at, action) => {
    // Act
    const decision = decide({ updated_at: iso(0), ...task }, T0 + at);
    // Assess
    expect(decision.action).toBe(action);
    if (decision.action === 'fail') expect(decision.reason).toMatch(/heartbeat|lifetime/);
  });

  it('the default threshold allows several missed 30 s heartbeats and acts within a few reconciler runs', () => {
    // Assess
    expect(DEFAULT_RECONCILER_SETTINGS.heartbeatThresholdMs / 30_000).toBeGreaterThanOrEqual(5);
    expect(DEFAULT_RECONCILER_SETTINGS.probeAfterMs).toBeLessThan(DEFAULT_RECONCILER_SETTINGS.heartbeatThresholdMs);
    expect(DEFAULT_RECONCILER_SETTINGS.maxLifetimeMs).toBe(8 * 3600 * 1000);
  });
});

describe('reconciler', () => {
  useMoto();
  const plane = useDataPlane({ agentEnv: TEST_AGENT_ENV });
  let bed: TaskBed;
  // Small thresholds: heartbeats every 100 ms, so 1.5 s of silence is many missed beats.
  const settings: Partial<ReconcilerSettings> = { heartbeatThresholdMs: 1500, probeAfterMs: 600, redispatchAfterMs: 300 };
  beforeAll(async () => {
    bed = await taskBed('reconcile', plane);
    await bed.putRepo('octo/work', 'active');
  });
  afterEach(() => plane().setAgentEnv({}));
  const caller = 'user:carol';

  async function runningSlowTask(description: string): Promise<string> {
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '5000' });
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/work', description } });
    await startTask(deps, task.task_id);
    await bed.waitFor(deps, task.task_id, (t) => !!t.progress?.startsWith('step'));
    return task.task_id;
  }

  it('a killed agent: the task ends FAILED with the reason, once its heartbeat is older than the threshold', async () => {
    // Prepare
    const taskId = await runningSlowTask('Killed mid-task');
    const deps = bed.deps();
    // Act: kill the agent's process as a crashed microVM; reconcile until it acts
    await plane().killSession(taskId);
    const early = await reconcileTasks(deps, { settings: { ...settings, probeAfterMs: 60_000 } });
    for (;;) {
      const report = await reconcileTasks(deps, { settings: { ...settings, probeAfterMs: 60_000 } });
      if (report.failed.some((f) => f.task_id === taskId)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const task = await getTask(deps, taskId);
    // Assess
    expect(early.failed).toEqual([]);
    expect(task.status).toBe('FAILED');
    expect(task.status_reason).toMatch(/^no heartbeat from the agent for \d+ s \(threshold 2 s\)/);
  });

  it('a session AgentCore no longer has is found by probing once the heartbeat is late, before the threshold', async () => {
    // Prepare
    const taskId = await runningSlowTask('Session lost');
    const deps = bed.deps();
    await plane().killSession(taskId);
    await new Promise((r) => setTimeout(r, settings.probeAfterMs! + 200));
    // Act
    const report = await reconcileTasks(deps, { settings: { ...settings, heartbeatThresholdMs: 60_000 } });
    const task = await getTask(deps, taskId);
    // Assess: the probe (a status action in the same session) found an agent that does not know the task
    expect(report.probed).toContain(taskId);
    expect(task).toMatchObject({ status: 'FAILED', status_reason: expect.stringContaining('AgentCore no longer has the task in its session') });
    // the probe's fresh session was stopped again
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).not.toContain(taskId);
  });

  it('a lost dispatch (still SUBMITTED) is started by the reconciler and completes', async () => {
    // Prepare: submitted, never dispatched
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/work', description: 'Dispatch lost' } });
    await new Promise((r) => setTimeout(r, settings.redispatchAfterMs! + 50));
    // Act
    const report = await reconcileTasks(deps, { settings });
    const done = await bed.waitFor(deps, task.task_id);
    // Assess
    expect(report.redispatched).toContain(task.task_id);
    expect(done.status).toBe('COMPLETED');
  });

  it('a submit whose dispatch fails is still accepted (201), and the reconciler starts it', async () => {
    // Prepare: an API whose dispatcher always fails (a throttled or lost async invocation)
    const { startApiServer } = await import('../../src/api/server');
    const { ApiKeyStore } = await import('../../src/auth/api-keys');
    const api = await startApiServer({
      env: 'reconcile',
      port: 0,
      clients: bed.clients,
      log: () => undefined,
      taskDispatcher: () => ({ dispatch: () => Promise.reject(new Error('TooManyRequestsException')), idle: async () => undefined }),
    });
    try {
      const keys = new ApiKeyStore(bed.clients.doc, bed.platform.tables.apiKeys);
      const { apiKey } = await keys.create({ name: 'lost-dispatch', scopes: ['tasks:submit'] }, 'user:test');
      // Act
      const res = await fetch(`${api.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ repo: 'octo/work', description: 'Dispatch failed' }),
      });
      const submitted = (await res.json()) as { task_id: string; status: string };
      await new Promise((r) => setTimeout(r, settings.redispatchAfterMs! + 50));
      const report = await reconcileTasks(bed.deps(), { settings });
      const done = await bed.waitFor(bed.deps(), submitted.task_id);
      // Assess
      expect(res.status).toBe(201);
      expect(submitted.status).toBe('SUBMITTED');
      expect(report.redispatched).toContain(submitted.task_id);
      expect(done.status).toBe('COMPLETED');
    } finally {
      await api.close();
    }
  });

  it('two reconcilers at once act once (each failure is conditional on the row version)', async () => {
    // Prepare: a RUNNING row whose "agent" went silent
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/work', description: 'Contested' } });
    const stale = new Date(Date.now() - 10_000).toISOString();
    await bed.clients.doc.send(
      new UpdateCommand({
        TableName: bed.platform.tables.tasks,
        Key: { task_id: task.task_id },
        UpdateExpression: 'SET #s = :r, started_at = :t, heartbeat_at = :t, runtime_session_id = :id ADD #v :one',
        ExpressionAttributeNames: { '#s': 'status', '#v': 'version' },
        ExpressionAttributeValues: { ':r': 'RUNNING', ':t': stale, ':id': task.task_id, ':one': 1 },
      }),
    );
    // Act
    const [a, b] = await Promise.all([reconcileTasks(deps, { settings }), reconcileTasks(deps, { settings })]);
    const after = await getTask(deps, task.task_id);
    // Assess
    const failures = [...a.failed, ...b.failed].filter((f) => f.task_id === task.task_id);
    expect(failures).toHaveLength(1);
    expect([...a.skipped, ...b.skipped]).toContain(task.task_id);
    expect(after.status).toBe('FAILED');
    expect(after.version).toBe(3);
  });

  it('the Lambda handler finds its platform from ABCA_ENV and reconciles (a lost dispatch is started)', async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/work', description: 'Through the Lambda' } });
    const saved = process.env.ABCA_ENV;
    process.env.ABCA_ENV = 'reconcile';
    try {
      const { handler } = await import('../../src/handlers/reconciler');
      // Act: the default thresholds (60 s before a re-dispatch): a fresh task is left alone
      const report = await handler();
      // Assess
      expect(report.checked).toBeGreaterThanOrEqual(1);
      expect(report.redispatched).not.toContain(task.task_id);
      expect(report.errors).toEqual([]);
    } finally {
      process.env.ABCA_ENV = saved;
    }
  });

  it('the Lambda handler starts a task the API dispatched to it ({"abcaRunTask": id}): it may read tokens, the API may not', async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/work', description: 'Dispatched here' } });
    const saved = process.env.ABCA_ENV;
    process.env.ABCA_ENV = 'reconcile';
    try {
      const { handler } = await import('../../src/handlers/reconciler');
      // Act
      const started = await handler({ abcaRunTask: task.task_id });
      const done = await bed.waitFor(deps, task.task_id);
      // Assess
      expect(started).toMatchObject({ task_id: task.task_id, status: 'RUNNING' });
      expect(done.status).toBe('COMPLETED');
    } finally {
      process.env.ABCA_ENV = saved;
    }
  });

  it('runs on a schedule in the local control plane (a loop) and stops cleanly', async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/work', description: 'Looped' } });
    const reports: number[] = [];
    // Act
    const loop = startReconcilerLoop(deps, { intervalMs: 100, settings, onReport: (r) => reports.push(r.redispatched.length) });
    const done = await bed.waitFor(deps, task.task_id);
    await loop.stop();
    // Assess
    expect(done.status).toBe('COMPLETED');
    expect(reports.length).toBeGreaterThan(0);
  });
});
