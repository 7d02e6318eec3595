/**
 * The task path against moto's DynamoDB and real agent processes behind the local AgentCore data
 * plane: the submit path only starts the session; the agent writes its progress and outcome.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDb } from '../../agent/src/aws';
import { ConditionFailed, DynamoTaskRow } from '../../agent/src/task-row';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { CANARY_ENDPOINT, LIVE_ENDPOINT } from '../../src/platform/runtime-spec';
import { AgentCoreInvoker } from '../../src/tasks/invoker';
import { interpretStartAnswer } from '../../src/tasks/contract';
import { cancelTask, getTask, listTasks, startTask, submitTask } from '../../src/tasks/orchestrator';
import { TaskStore } from '../../src/tasks/store';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { rejectionOf, taskBed, TEST_AGENT_ENV, type TaskBed } from './support';

describe('task orchestrator', () => {
  useMoto();
  const plane = useDataPlane({ agentEnv: TEST_AGENT_ENV });
  let bed: TaskBed;
  beforeAll(async () => {
    bed = await taskBed('tasks', plane);
    await bed.putRepo('octo/active', 'active', { build_command: 'npm test' });
    await bed.putRepo('octo/tight', 'active', { max_turns: 2, model_id: DEFAULT_GUARDRAILS.allowed_models[1] });
    await bed.putRepo('octo/removed', 'removed');
    await bed.putRepo('octo/provisioning', 'provisioning');
  });
  afterEach(() => plane().setAgentEnv({}));

  const caller = 'user:alice';

  it('submits a task to an active repository; starting it only starts the session; the agent writes COMPLETED', async () => {
    // Prepare
    const deps = bed.deps();
    // Act
    const { task, created } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Add a --verbose flag' } });
    const started = await startTask(deps, task.task_id);
    const done = await bed.waitFor(deps, task.task_id);
    // Assess
    expect(created).toBe(true);
    expect(task).toMatchObject({ status: 'SUBMITTED', repo: 'octo/active', submitted_by: caller, version: 1 });
    expect(task.task_id).toMatch(/^task-[0-9a-f]{32}$/);
    expect(task).not.toHaveProperty('request_hash');
    expect(started).toMatchObject({
      status: 'RUNNING',
      runtime_session_id: task.task_id,
      runtime_arn: bed.platform.agentRuntimeArn,
      runtime_qualifier: 'live',
    });
    expect(done).toMatchObject({ task_id: task.task_id, status: 'COMPLETED', runtime_session_id: task.task_id, progress: 'done' });
    expect(done.version).toBeGreaterThanOrEqual(4);
    expect(done.result).toMatchObject({ status: 'completed', session_id: task.task_id, turns_used: 5, agent: { commit: 'abc1234' } });
    expect(done.started_at! <= done.heartbeat_at!).toBe(true);
    expect(done.started_at! <= done.finished_at!).toBe(true);
    expect(plane().calls.find((c) => c.sessionId === task.task_id)).toMatchObject({ operation: 'InvokeAgentRuntime', qualifier: 'live', status: 200 });
  });

  it("speaks upstream's contract: runtimeUserId is the submitter, the agent writes upstream's names, the view types the outcome", async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Open a pull request' } });
    // Act
    const done = await bed.runToEnd(deps, task.task_id);
    const row = await new TaskStore(bed.clients.doc, bed.platform.tables.tasks).require(task.task_id);
    // Assess: the invocation named the user; the row carries upstream's attributes, the view typed values
    expect(plane().calls.find((c) => c.sessionId === task.task_id && c.operation === 'InvokeAgentRuntime')).toMatchObject({ userId: 'alice', status: 200 });
    expect(row).toMatchObject({ user_id: 'alice', agent_heartbeat_at: expect.any(String), completed_at: expect.any(String), turns: '5', build_passed: true });
    expect(row).not.toHaveProperty('heartbeat_at');
    expect(row).not.toHaveProperty('finished_at');
    expect(done).toMatchObject({
      status: 'COMPLETED',
      turns: 5,
      cost_usd: 0,
      build_passed: true,
      pr_url: expect.stringMatching(/^https:\/\/github\.com\/octo\/active\/pull\/\d+$/),
    });
    expect(typeof done.duration_s).toBe('number');
  });

  it('a task that runs a while heartbeats with its progress; the start answered long before', async () => {
    // Prepare: each of the 5 steps takes 300 ms, heartbeats every 100 ms
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '300' });
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Take your time' } });
    const seen = new Set<string>();
    // Act
    const started = await startTask(deps, task.task_id);
    const done = await bed.waitFor(deps, task.task_id, (t) => {
      if (t.status === 'RUNNING' && t.heartbeat_at) seen.add(`${t.heartbeat_at}|${t.progress}`);
      return t.status !== 'RUNNING';
    });
    // Assess: the start returned while the agent was still working; several beats and steps were seen
    expect(started.status).toBe('RUNNING');
    expect(done.status).toBe('COMPLETED');
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect([...seen].some((s) => s.includes('step 3/5: edit'))).toBe(true);
  });

  it('merges the RepoConfig over platform defaults into what the agent receives', async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Tidy up' } });
    // Act
    const done = await bed.runToEnd(deps, task.task_id);
    // Assess: the default model (guardrails' first) and REPO_DEFAULTS, with the repository's build command
    expect(done.config).toEqual({
      model_id: DEFAULT_GUARDRAILS.allowed_models[0],
      max_turns: 100,
      max_budget_usd: 10,
      poll_interval_ms: 30_000,
      approval_gate_cap: 25,
      egress_allowlist: [],
      cedar_policies: [],
      build_command: 'npm test',
    });
    expect((done.result!.plan as { kind: string }[]).map((s) => s.kind)).toContain('build');
  });

  it('takes the default model from the live guardrails when the deps read it', async () => {
    // Prepare
    const deps = bed.deps({ defaultModelId: async () => DEFAULT_GUARDRAILS.allowed_models[2]! });
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Use the host model' } });
    // Act
    const done = await bed.runToEnd(deps, task.task_id);
    // Assess
    expect(done.config).toMatchObject({ model_id: DEFAULT_GUARDRAILS.allowed_models[2] });
    expect(done.result).toMatchObject({ model_id: DEFAULT_GUARDRAILS.allowed_models[2] });
  });

  it('an idempotent resubmission returns the same task, before and after it ran, without a second row', async () => {
    // Prepare
    const deps = bed.deps();
    const input = { repo: 'octo/active', description: 'Bump dependencies', idempotency_key: 'ci-run-7' };
    const first = await submitTask(deps, { caller, input });
    const rows = await bed.taskCount();
    // Act
    const again = await submitTask(deps, { caller, input });
    await bed.runToEnd(deps, first.task.task_id);
    const afterRun = await submitTask(deps, { caller, input });
    // Assess
    expect(first.created).toBe(true);
    expect(again).toEqual({ task: first.task, created: false });
    expect(afterRun.created).toBe(false);
    expect(afterRun.task).toMatchObject({ task_id: first.task.task_id, status: 'COMPLETED' });
    expect(await bed.taskCount()).toBe(rows);
  });

  it('a submitter that lost the race to the same key gets the row the winner wrote (conditional create)', async () => {
    // Prepare: the winner's row is in; the loser built its record before seeing it
    const deps = bed.deps();
    const table = new TaskStore(bed.clients.doc, bed.platform.tables.tasks);
    const input = { repo: 'octo/active', description: 'Race', idempotency_key: 'race-1' };
    const winner = await submitTask(deps, { caller, input });
    const rows = await bed.taskCount();
    const loser = { ...(await table.require(winner.task.task_id)), created_at: 'later', updated_at: 'later' };
    // Act
    const replay = await table.create(loser);
    const conflicting = await rejectionOf(table.create({ ...loser, request_hash: 'f'.repeat(64) }));
    // Assess
    expect(replay.created).toBe(false);
    expect(replay.task.created_at).toBe(winner.task.created_at);
    expect(conflicting).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
    expect(await bed.taskCount()).toBe(rows);
  });

  it("the same key with a different task is IDEMPOTENCY_MISMATCH; another caller's key is another task", async () => {
    // Prepare
    const deps = bed.deps();
    const first = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'One thing', idempotency_key: 'k-1' } });
    // Act
    const mismatch = await rejectionOf(submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Another thing', idempotency_key: 'k-1' } }));
    const other = await submitTask(deps, { caller: 'key:ci-bot', input: { repo: 'octo/active', description: 'One thing', idempotency_key: 'k-1' } });
    // Assess
    expect(mismatch).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', exitCode: 3, details: { task_id: first.task.task_id } });
    expect(other.created).toBe(true);
    expect(other.task.task_id).not.toBe(first.task.task_id);
  });

  it.each([
    ['removed', 'octo/removed', 'removed'],
    ['provisioning', 'octo/provisioning', 'provisioning'],
    ['never onboarded', 'octo/unknown', null],
  ])('refuses a %s repository with REPO_NOT_ONBOARDED and writes nothing', async (_what, repo, status) => {
    // Prepare
    const rows = await bed.taskCount();
    // Act
    const error = await rejectionOf(submitTask(bed.deps(), { caller, input: { repo, description: 'Do it' } }));
    // Assess
    expect(error).toMatchObject({ code: 'REPO_NOT_ONBOARDED', exitCode: 2, details: { repo, status } });
    expect(await bed.taskCount()).toBe(rows);
  });

  it('refuses an invalid task with VALIDATION_ERROR before reading anything', async () => {
    // Act
    const error = await rejectionOf(submitTask(bed.deps(), { caller, input: { repo: 'octo/active', description: 'x'.repeat(8001) } }));
    // Assess
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { problems: [expect.objectContaining({ field: 'description' })] } });
  });

  it("a task the agent cannot do ends FAILED with the agent's reason", async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/tight', description: 'Rewrite the build' } });
    // Act
    const done = await bed.runToEnd(deps, task.task_id);
    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.status_reason).toBe('agent: the plan needs 4 turns but max_turns for octo/tight is 2');
    expect(done.result).toMatchObject({ status: 'failed', model_id: DEFAULT_GUARDRAILS.allowed_models[1] });
  });

  it('a session that cannot be started ends the task FAILED with the AgentCore error as the reason', async () => {
    // Prepare: an endpoint the runtime does not have
    const deps = bed.deps({ invoker: new AgentCoreInvoker({ runtimeArn: bed.platform.agentRuntimeArn, qualifier: 'nosuch' }) });
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Anything' } });
    // Act
    const done = await startTask(deps, task.task_id);
    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.status_reason).toMatch(
      /^the agent session could not be started: AGENT_INVOCATION_FAILED: InvokeAgentRuntime on .* \(nosuch\) failed: ResourceNotFoundException/,
    );
  });

  it('an older image that answers synchronously still finishes the task from its answer', () => {
    // Act
    const accepted = interpretStartAnswer({ status: 'accepted', task_id: 't' });
    const finished = interpretStartAnswer({ status: 'failed', reason: 'no' });
    const odd = interpretStartAnswer({ status: 'dancing' });
    // Assess
    expect(accepted).toEqual({ kind: 'started' });
    expect(finished).toMatchObject({ kind: 'finished', ok: false, reason: 'agent: no' });
    expect(odd).toMatchObject({ kind: 'finished', ok: false });
  });

  it('a repository removed between submit and run fails the task without invoking the agent', async () => {
    // Prepare
    await bed.putRepo('octo/leaving', 'active');
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/leaving', description: 'Too late' } });
    await bed.clients.doc.send(
      new UpdateCommand({
        TableName: bed.platform.tables.repos,
        Key: { repo: 'octo/leaving' },
        UpdateExpression: 'SET #s = :r',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':r': 'removed' },
      }),
    );
    const invocations = bed.invocations();
    // Act
    const done = await startTask(deps, task.task_id);
    // Assess
    expect(done).toMatchObject({ status: 'FAILED', status_reason: 'repository octo/leaving is removed, not active' });
    expect(bed.invocations()).toBe(invocations);
  });

  it('a second dispatcher finds the task taken: the session is started once', async () => {
    // Prepare
    const deps = bed.deps();
    const table = new TaskStore(bed.clients.doc, bed.platform.tables.tasks);
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Only once' } });
    const stale = await table.require(task.task_id);
    const invocations = bed.invocations();
    // Act
    const [first, second] = await Promise.all([startTask(deps, task.task_id), startTask(deps, task.task_id)]);
    const done = await bed.waitFor(deps, task.task_id);
    const staleStart = await rejectionOf(table.transition(stale, 'RUNNING'));
    // Assess
    expect(bed.invocations()).toBe(invocations + 1);
    expect([first.status, second.status]).not.toContain('SUBMITTED');
    expect(done.status).toBe('COMPLETED');
    expect(staleStart).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { from: 'COMPLETED', to: 'RUNNING' } });
  });

  it('cancels a SUBMITTED task; running it afterwards does nothing; cancelling again is ILLEGAL_TRANSITION', async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Never mind' } });
    const invocations = bed.invocations();
    const stops = plane().calls.filter((c) => c.operation === 'StopRuntimeSession').length;
    // Act
    const cancelled = await cancelTask(deps, task.task_id, { caller });
    const ran = await startTask(deps, task.task_id);
    const again = await rejectionOf(cancelTask(deps, task.task_id, { caller }));
    // Assess: no session was ever started, so none is stopped
    expect(cancelled).toMatchObject({ status: 'CANCELLED', status_reason: `cancelled by ${caller}`, cancelled_by: caller });
    expect(ran).toEqual(cancelled);
    expect(again).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { from: 'CANCELLED', to: 'CANCELLED' } });
    expect(bed.invocations()).toBe(invocations);
    expect(plane().calls.filter((c) => c.operation === 'StopRuntimeSession').length).toBe(stops);
  });

  it('cancelling a running task stops its session (StopRuntimeSession seen); a late agent write changes nothing', async () => {
    // Prepare: a slow agent, seen working
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '2000' });
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Slow one' } });
    await startTask(deps, task.task_id);
    const working = await bed.waitFor(deps, task.task_id, (t) => !!t.progress?.startsWith('step'));
    const session = plane()
      .sessions()
      .find((s) => s.sessionId === task.task_id)!;
    // Act
    const cancelled = await cancelTask(deps, task.task_id, { reason: 'operator changed their mind' });
    const row = new DynamoTaskRow(new DynamoDb('us-east-1'), bed.platform.tables.tasks);
    const late = await rejectionOf(row.finish(task.task_id, task.task_id, { status: 'COMPLETED', result: { status: 'completed' } }));
    const lateBeat = await rejectionOf(row.heartbeat(task.task_id, task.task_id, 'still here'));
    // Assess
    expect(working.status).toBe('RUNNING');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', status_reason: 'operator changed their mind' });
    expect(plane().calls.filter((c) => c.operation === 'StopRuntimeSession' && c.sessionId === task.task_id)).toEqual([
      expect.objectContaining({ status: 200 }),
    ]);
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).not.toContain(task.task_id);
    expect(() => process.kill(session.pid, 0)).toThrow();
    expect(late).toBeInstanceOf(ConditionFailed);
    expect(lateBeat).toBeInstanceOf(ConditionFailed);
    const after = await getTask(deps, task.task_id);
    expect(after).toMatchObject({ status: 'CANCELLED', version: cancelled.version });
    expect(after.result).toBeUndefined();
  });

  it('cancel stops the session on the qualifier the task started on, not the one the invoker targets now', async () => {
    // Prepare: a task started through canary (as a smoke's golden task is), still working
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '2000' });
    const onCanary = bed.deps({ invoker: new AgentCoreInvoker({ runtimeArn: bed.platform.agentRuntimeArn, qualifier: CANARY_ENDPOINT }) });
    const { task } = await submitTask(onCanary, { caller, input: { repo: 'octo/active', description: 'Started on canary' } });
    await startTask(onCanary, task.task_id);
    await bed.waitFor(onCanary, task.task_id, (t) => !!t.progress?.startsWith('step'));
    const session = plane()
      .sessions()
      .find((s) => s.sessionId === task.task_id)!;
    // Act: the API's deps target live
    const cancelled = await cancelTask(bed.deps(), task.task_id, { reason: 'stop it' });
    // Assess
    expect(bed.deps().invoker.qualifier).toBe(LIVE_ENDPOINT);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', runtime_qualifier: CANARY_ENDPOINT });
    expect(plane().calls.filter((c) => c.operation === 'StopRuntimeSession' && c.sessionId === task.task_id)).toEqual([
      expect.objectContaining({ qualifier: CANARY_ENDPOINT, status: 200 }),
    ]);
    expect(() => process.kill(session.pid, 0)).toThrow();
  });

  it('a completed task cannot be cancelled', async () => {
    // Prepare
    const deps = bed.deps();
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Quick' } });
    await bed.runToEnd(deps, task.task_id);
    // Act
    const error = await rejectionOf(cancelTask(deps, task.task_id));
    // Assess
    expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', exitCode: 3, details: { from: 'COMPLETED', to: 'CANCELLED' } });
  });

  it('state writes are conditional: a move made from a stale read loses to the one already written', async () => {
    // Prepare: two actors read the task while it was RUNNING
    const deps = bed.deps();
    const table = new TaskStore(bed.clients.doc, bed.platform.tables.tasks);
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Contested' } });
    const running = await table.transition(await table.require(task.task_id), 'RUNNING');
    // Act
    const completed = await table.transition(running, 'COMPLETED', { result: { status: 'completed' } });
    const lateCancel = await rejectionOf(table.transition(running, 'CANCELLED'));
    // Assess
    expect(completed).toMatchObject({ status: 'COMPLETED', version: 3 });
    expect(lateCancel).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { from: 'COMPLETED', to: 'CANCELLED' } });
    expect(await getTask(deps, task.task_id)).toMatchObject({ status: 'COMPLETED', version: 3, result: { status: 'completed' } });
  });

  it('a stale read whose move is still legal is retried against the current status', async () => {
    // Prepare: one actor read SUBMITTED; meanwhile the task started
    const deps = bed.deps();
    const table = new TaskStore(bed.clients.doc, bed.platform.tables.tasks);
    const { task } = await submitTask(deps, { caller, input: { repo: 'octo/active', description: 'Moving' } });
    const stale = await table.require(task.task_id);
    await table.transition(stale, 'RUNNING');
    // Act
    const cancelled = await table.transition(stale, 'CANCELLED', { status_reason: 'stop' });
    // Assess
    expect(cancelled).toMatchObject({ status: 'CANCELLED', status_reason: 'stop', version: 3 });
    expect(cancelled.started_at).toBeDefined();
  });

  it('an unknown or malformed task id is TASK_NOT_FOUND', async () => {
    // Act
    const unknown = await rejectionOf(getTask(bed.deps(), `task-${'0'.repeat(32)}`));
    const malformed = await rejectionOf(getTask(bed.deps(), '../../etc'));
    const run = await rejectionOf(startTask(bed.deps(), `task-${'0'.repeat(32)}`));
    // Assess
    expect(unknown).toMatchObject({ code: 'TASK_NOT_FOUND', exitCode: 2 });
    expect(malformed).toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(run).toMatchObject({ code: 'TASK_NOT_FOUND' });
  });
});

describe('task listing', () => {
  useMoto();
  const plane = useDataPlane({ agentEnv: TEST_AGENT_ENV });
  let bed: TaskBed;
  const ids: string[] = [];
  beforeAll(async () => {
    bed = await taskBed('tasklist', plane);
    await bed.putRepo('octo/a', 'active');
    await bed.putRepo('octo/b', 'active');
    let tick = Date.parse('2030-01-01T00:00:00Z');
    const deps = bed.deps({ now: () => new Date((tick += 1000)) });
    for (let i = 0; i < 5; i++) ids.push((await submitTask(deps, { caller: 'user:bob', input: { repo: 'octo/a', description: `task ${i}` } })).task.task_id);
    await submitTask(deps, { caller: 'user:bob', input: { repo: 'octo/b', description: 'elsewhere' } });
    await bed.runToEnd(deps, ids[1]!);
    await cancelTask(deps, ids[3]!);
  });

  it('lists a repository newest first, page by page', async () => {
    // Act
    const seen: string[] = [];
    const pages: number[] = [];
    let next_token: string | undefined;
    do {
      const page = await listTasks(bed.deps(), { repo: 'octo/a', limit: 2, next_token });
      seen.push(...page.items.map((t) => t.task_id));
      pages.push(page.items.length);
      next_token = page.next_token;
    } while (next_token);
    // Assess
    expect(seen).toEqual([...ids].reverse());
    expect(pages.slice(0, 2)).toEqual([2, 2]);
  });

  it('filters by status, with or without a repository', async () => {
    // Act
    const completed = await listTasks(bed.deps(), { repo: 'octo/a', status: 'COMPLETED' });
    const cancelled = await listTasks(bed.deps(), { status: 'CANCELLED' });
    const submitted = await listTasks(bed.deps(), { status: 'SUBMITTED', limit: 100 });
    // Assess
    expect(completed.items.map((t) => t.task_id)).toEqual([ids[1]]);
    expect(cancelled.items.map((t) => t.task_id)).toEqual([ids[3]]);
    expect(submitted.items).toHaveLength(4);
    expect(submitted.next_token).toBeUndefined();
  });

  it('lists everything across pages without a repository', async () => {
    // Act
    const first = await listTasks(bed.deps(), { limit: 4 });
    const rest = await listTasks(bed.deps(), { limit: 4, next_token: first.next_token });
    // Assess
    expect(first.items).toHaveLength(4);
    expect(new Set([...first.items, ...rest.items].map((t) => t.task_id)).size).toBe(6);
  });

  it.each([
    ['a token that is not one', { next_token: 'bm90IGpzb24' }, 'INVALID_NEXT_TOKEN'],
    ['a repository token used without the repository', { next_token: 'REPO_TOKEN' }, 'INVALID_NEXT_TOKEN'],
    ['an unknown status', { status: 'DONE' }, 'VALIDATION_ERROR'],
    ['a limit over 100', { limit: 101 }, 'VALIDATION_ERROR'],
    ['a malformed repository', { repo: 'nope' }, 'VALIDATION_ERROR'],
  ] as [string, { next_token?: string; status?: string; limit?: number; repo?: string }, string][])('refuses %s', async (_what, query, code) => {
    // Prepare
    const repoToken = (await listTasks(bed.deps(), { repo: 'octo/a', limit: 1 })).next_token!;
    const q = { ...query, ...(query.next_token === 'REPO_TOKEN' ? { next_token: repoToken } : {}) };
    // Act
    const error = await rejectionOf(listTasks(bed.deps(), q));
    // Assess
    expect(error).toMatchObject({ code, exitCode: 2 });
  });
});
