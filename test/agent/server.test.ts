/** The agent as AgentCore sees it: real HTTP against the server on a free port. */
import { buildInfoFromEnv, type BuildInfo } from '../../agent/src/build-info';
import { PingState, startAgentServer, type RunningAgent } from '../../agent/src/server';
import type { Outcome, TaskRowWriter } from '../../agent/src/task-row';

/** What the agent wrote to its task row, in order (the DynamoDB writer itself is tested against moto). */
class RecordingRow implements TaskRowWriter {
  readonly writes: (
    { kind: 'heartbeat'; taskId: string; session: string; progress: string } | { kind: 'finish'; taskId: string; session: string; outcome: Outcome }
  )[] = [];
  async heartbeat(taskId: string, session: string, progress: string) {
    this.writes.push({ kind: 'heartbeat', taskId, session, progress });
  }
  async finish(taskId: string, session: string, outcome: Outcome) {
    this.writes.push({ kind: 'finish', taskId, session, outcome });
  }
  outcome(taskId: string): Outcome | undefined {
    const w = this.writes.find((x) => x.kind === 'finish' && x.taskId === taskId);
    return w?.kind === 'finish' ? w.outcome : undefined;
  }
}

const INFO: BuildInfo = { version: '9.9.9', commit: '0123456789abcdef0123456789abcdef01234567', digest: `sha256:${'a'.repeat(64)}` };
const CONFIG = { model_id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', max_turns: 100 };

async function post(agent: RunningAgent, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${agent.url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('agent server', () => {
  let agent: RunningAgent;
  let lines: string[];
  const row = new RecordingRow();
  beforeAll(async () => {
    lines = [];
    agent = await startAgentServer({ port: 0, buildInfo: INFO, log: (l) => lines.push(l), maxBodyBytes: 64 * 1024, taskRow: row, stepMs: 0 });
  });
  afterAll(() => agent.close());

  it('GET /ping answers the AgentCore ping contract', async () => {
    // Act
    const res = await fetch(`${agent.url}/ping`);
    const body = (await res.json()) as Record<string, number | string>;
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(Object.keys(body).sort()).toEqual(['status', 'time_of_last_update']);
    expect(body.status).toBe('Healthy');
    expect(Number.isInteger(body.time_of_last_update)).toBe(true);
    expect(body.time_of_last_update).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('accepts a task at once and works in the background: heartbeats, then the outcome, to its row', async () => {
    // Prepare
    const task = {
      task_id: 'task-1',
      repo: 'octo/widgets',
      description: 'Add tests for the parser\nand fix the bug',
      config: { ...CONFIG, build_command: 'npm test', lint_command: 'npm run lint' },
    };
    const session = 's'.repeat(40);
    // Act
    const first = await post(agent, task, { 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id': session });
    const second = await post(agent, task, { 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id': session });
    await agent.worker.settled('task-1');
    const status = await post(agent, { action: 'status', task_id: 'task-1' });
    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'accepted', task_id: 'task-1', session_id: session, agent: INFO });
    expect(['running', 'completed']).toContain(second.body.status);
    const outcome = row.outcome('task-1');
    expect(outcome).toMatchObject({
      status: 'COMPLETED',
      result: { status: 'completed', repo: 'octo/widgets', model_id: CONFIG.model_id, session_id: session, agent: INFO, turns_used: 7 },
    });
    expect((outcome as unknown as { result: { plan: { kind: string }[] } }).result.plan.map((s) => s.kind)).toEqual([
      'clone',
      'read',
      'edit',
      'test',
      'build',
      'lint',
      'pull_request',
    ]);
    expect(row.writes.filter((w) => w.taskId === 'task-1').map((w) => w.kind)).toEqual(['heartbeat', 'finish']);
    expect(row.writes.filter((w) => w.taskId === 'task-1').every((w) => w.session === session)).toBe(true);
    expect(status.body).toMatchObject({ known: true, state: 'completed', progress: 'done' });
  });

  it("takes upstream's {input} envelope and answers upstream's {output:{result}} shape; the outcome carries the PR", async () => {
    // Act
    const res = await post(agent, {
      input: {
        task_id: 'task-env',
        repo_url: 'octo/widgets',
        prompt: 'Fix the parser',
        model_id: CONFIG.model_id,
        max_turns: 10,
        build_command: 'make',
        user_id: 'sub-1',
        future: 1,
      },
    });
    await agent.worker.settled('task-env');
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      output: {
        message: { role: 'assistant', content: [{ text: 'Task accepted: task-env' }] },
        result: { status: 'accepted', task_id: 'task-env' },
        timestamp: expect.any(String),
      },
    });
    expect(res.body).not.toHaveProperty('status');
    expect(row.outcome('task-env')).toMatchObject({
      status: 'COMPLETED',
      summary: { turns: 5, cost_usd: 0, build_passed: true, pr_url: expect.stringMatching(/^https:\/\/github\.com\/octo\/widgets\/pull\/\d+$/) },
    });
  });

  it.each([
    ['no repo_url', { task_id: 't', prompt: 'x', model_id: 'm' }, ['repo_url']],
    ['no prompt and no task id', { repo_url: 'o/r', model_id: 'm' }, ['task_id', 'prompt']],
    ['no model_id (upstream would fall back to a model the role does not grant)', { task_id: 't', repo_url: 'o/r', task_description: 'x' }, ['model_id']],
  ])('refuses an envelope with %s as upstream does: 400 TASK_RECORD_INCOMPLETE with the missing fields', async (_what, input, missing) => {
    // Act
    const res = await post(agent, { input });
    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'TASK_RECORD_INCOMPLETE', message: expect.any(String), missing });
  });

  it('answers its extra actions inside the envelope too (ping, status)', async () => {
    // Act
    const ping = await post(agent, { input: { action: 'ping' } });
    const status = await post(agent, { input: { action: 'status', task_id: 'task-nope' } });
    // Assess
    expect(ping.body).toMatchObject({ status: 'Healthy' });
    expect(status.body).toEqual({ known: false, task_id: 'task-nope' });
  });

  it('fails a task whose plan needs more turns than max_turns, with the reason', async () => {
    // Act
    const res = await post(agent, {
      action: 'run_task',
      task_id: 'task-2',
      repo: 'octo/widgets',
      description: 'Rename a function',
      config: { ...CONFIG, max_turns: 2 },
    });
    await agent.worker.settled('task-2');
    // Assess
    expect(res.status).toBe(200);
    expect(row.outcome('task-2')).toMatchObject({ status: 'FAILED', reason: 'agent: the plan needs 4 turns but max_turns for octo/widgets is 2' });
  });

  it('says it does not know a task it never ran (how the reconciler notices a lost session)', async () => {
    // Act
    const res = await post(agent, { action: 'status', task_id: 'task-never' });
    // Assess
    expect(res.body).toEqual({ known: false, task_id: 'task-never' });
  });

  it('ignores config fields it does not know (a newer orchestrator must not break an older image)', async () => {
    // Act
    const res = await post(agent, { task_id: 'task-3', repo: 'o/r', description: 'x', config: { ...CONFIG, future_setting: { a: 1 } }, trace: 'abc' });
    await agent.worker.settled('task-3');
    // Assess
    expect(res.body.status).toBe('accepted');
    expect(row.outcome('task-3')?.status).toBe('COMPLETED');
  });

  it('answers the ping and version actions the smoke check sends through the runtime, and GET /version', async () => {
    // Act
    const ping = await post(agent, { action: 'ping' });
    const version = await post(agent, { action: 'version' });
    const direct = await (await fetch(`${agent.url}/version`)).json();
    // Assess
    expect(ping.body).toMatchObject({ status: 'Healthy' });
    expect(version.body).toEqual(INFO);
    expect(direct).toEqual(INFO);
  });

  it.each([
    ['not JSON', '{"task_id":', 400, 'BAD_JSON'],
    ['not an object', '[1,2]', 400, 'BAD_INVOCATION'],
    ['an unknown action', { action: 'deploy' }, 400, 'BAD_INVOCATION'],
    ['a task without config.max_turns', { task_id: 't', repo: 'o/r', description: 'x', config: { model_id: 'm' } }, 400, 'BAD_INVOCATION'],
    ['a task with a bad repo', { task_id: 't', repo: 'not a repo', description: 'x', config: CONFIG }, 400, 'BAD_INVOCATION'],
    ['a payload over the size limit', { action: 'ping', pad: 'x'.repeat(70 * 1024) }, 413, 'PAYLOAD_TOO_LARGE'],
  ])('refuses %s with a JSON error', async (_what, body, status, code) => {
    // Act
    const res = await post(agent, body);
    // Assess
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it('404s unknown paths and 405s wrong methods, naming the allowed one', async () => {
    // Act
    const missing = await fetch(`${agent.url}/admin`);
    const wrong = await fetch(`${agent.url}/invocations`);
    // Assess
    expect(missing.status).toBe(404);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('logs one JSON line per request', async () => {
    // Prepare
    const before = lines.length;
    // Act
    await fetch(`${agent.url}/ping`);
    // Assess
    expect(lines.length).toBe(before + 1);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ method: 'GET', path: '/ping', status: 200 });
  });
});

describe('agent while a task runs', () => {
  it('reports HealthyBusy on /ping until the work is done; a row that is no longer its own stops the work', async () => {
    // Prepare: each step takes 150 ms; the second heartbeat finds the task cancelled
    const { ConditionFailed } = await import('../../agent/src/task-row');
    let beats = 0;
    const writes: string[] = [];
    const taskRow: TaskRowWriter = {
      heartbeat: async () => {
        beats += 1;
        if (beats > 2) throw new ConditionFailed('cancelled');
        writes.push('heartbeat');
      },
      finish: async () => void writes.push('finish'),
    };
    const agent = await startAgentServer({ port: 0, buildInfo: INFO, taskRow, stepMs: 150, heartbeatMs: 10_000 });
    try {
      // Act
      await post(agent, { task_id: 'task-busy', repo: 'o/r', description: 'x', config: CONFIG });
      const busy = (await (await fetch(`${agent.url}/ping`)).json()) as { status: string };
      await agent.worker.settled('task-busy');
      const idle = (await (await fetch(`${agent.url}/ping`)).json()) as { status: string };
      // Assess
      expect(busy.status).toBe('HealthyBusy');
      expect(idle.status).toBe('Healthy');
      expect(agent.worker.status('task-busy')?.state).toBe('abandoned');
      expect(writes).not.toContain('finish');
    } finally {
      await agent.close();
    }
  });

  it('a deliberately unhealthy agent (ABCA_AGENT_FAULT) fails /ping and /invocations without details', async () => {
    // Prepare
    const agent = await startAgentServer({ port: 0, buildInfo: INFO, taskRow: null, fault: 'unhealthy' });
    try {
      // Act
      const ping = await fetch(`${agent.url}/ping`);
      const inv = await post(agent, { action: 'ping' });
      // Assess
      expect(ping.status).toBe(500);
      expect(inv.status).toBe(500);
      expect(inv.body).toMatchObject({ error: { code: 'UNHEALTHY' } });
    } finally {
      await agent.close();
    }
  });
});

describe('agent ping state', () => {
  it('moves time_of_last_update only when the status changes', () => {
    // Prepare
    let now = 1_000_000;
    const ping = new PingState(() => now);
    // Act
    const initial = ping.body();
    now += 5_000;
    ping.begin();
    const busy = ping.body();
    now += 5_000;
    ping.begin();
    const stillBusy = ping.body();
    ping.end();
    const oneLeft = ping.body();
    now += 5_000;
    ping.end();
    const idle = ping.body();
    // Assess
    expect(initial).toEqual({ status: 'Healthy', time_of_last_update: 1000 });
    expect(busy).toEqual({ status: 'HealthyBusy', time_of_last_update: 1005 });
    expect(stillBusy).toEqual(busy);
    expect(oneLeft).toEqual(busy);
    expect(idle).toEqual({ status: 'Healthy', time_of_last_update: 1015 });
  });
});

describe('agent build info', () => {
  it('reports the baked-in commit and the injected digest, and null rather than a placeholder or a malformed value', () => {
    // Act
    const good = buildInfoFromEnv({ GIT_COMMIT: 'abc1234', IMAGE_DIGEST: `sha256:${'b'.repeat(64)}` }, '1.2.3');
    const placeholder = buildInfoFromEnv({ GIT_COMMIT: 'unknown', IMAGE_DIGEST: 'latest' }, '1.2.3');
    const none = buildInfoFromEnv({}, '1.2.3');
    // Assess
    expect(good).toEqual({ version: '1.2.3', commit: 'abc1234', digest: `sha256:${'b'.repeat(64)}` });
    expect(placeholder).toEqual({ version: '1.2.3', commit: null, digest: null });
    expect(none).toEqual({ version: '1.2.3', commit: null, digest: null });
  });

  it('reads its version from agent/package.json', () => {
    // Act
    const info = buildInfoFromEnv({});
    // Assess
    expect(info.version).toBe(require('../../agent/package.json').version);
  });
});
