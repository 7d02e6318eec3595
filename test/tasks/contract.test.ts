/** The ABCA agent contract as the platform speaks it (docs/agent-contract.md): pure functions. */
import { actionPayload, agentResult, interpretStartAnswer, invocationPayload, runtimeUserId } from '../../src/tasks/contract';
import { platformTaskDefaults } from '../../src/tasks/config';
import { decide, DEFAULT_RECONCILER_SETTINGS } from '../../src/tasks/reconciler';
import { toTaskView } from '../../src/tasks/orchestrator';
import type { TaskRecord } from '../../src/tasks/store';
import type { Task } from '../../src/cli/api-client';
import { renderTask } from '../../src/cli/commands/task';

const TASK = { task_id: `task-${'a'.repeat(32)}`, repo: 'octo/widgets', description: 'Add a --verbose flag' };

describe('the invocation payload', () => {
  it('is the {input} envelope with every field the configuration gives, in upstream names, and an explicit model', () => {
    // Prepare
    const config = {
      ...platformTaskDefaults('model-x'),
      max_budget_usd: 3,
      build_command: 'npm test',
      lint_command: 'npm run lint',
      system_prompt_overrides: 'Be brief',
      cedar_policies: ['permit(principal, action, resource);'],
    };
    // Act
    const payload = invocationPayload(TASK, config, { userId: 'sub-1', startedAt: '2026-12-03T00:00:00.000Z' });
    // Assess
    expect(Object.keys(payload)).toEqual(['input']);
    expect(payload.input).toEqual({
      task_id: TASK.task_id,
      repo_url: 'octo/widgets',
      prompt: 'Add a --verbose flag',
      model_id: 'model-x',
      max_turns: config.max_turns,
      max_budget_usd: 3,
      system_prompt_overrides: 'Be brief',
      build_command: 'npm test',
      lint_command: 'npm run lint',
      cedar_policies: ['permit(principal, action, resource);'],
      approval_gate_cap: config.approval_gate_cap,
      user_id: 'sub-1',
      task_started_at: '2026-12-03T00:00:00.000Z',
      egress_allowlist: config.egress_allowlist,
    });
  });

  it('leaves out a budget of 0 (upstream reads absence as "no limit") and empty commands', () => {
    // Act
    const { input } = invocationPayload(TASK, { ...platformTaskDefaults('m'), max_budget_usd: 0 }, { userId: 'u' });
    // Assess
    expect(input).not.toHaveProperty('max_budget_usd');
    expect(input).not.toHaveProperty('build_command');
    expect(input).not.toHaveProperty('github_token');
    expect(input.model_id).toBe('m');
  });

  it('names the submitting user without its kind prefix (runtimeUserId, user_id)', () => {
    expect(runtimeUserId('user:0f1e-sub')).toBe('0f1e-sub');
    expect(runtimeUserId('key:abc')).toBe('abc');
    expect(runtimeUserId('plain')).toBe('plain');
  });

  it("puts the double's extra actions in the same envelope", () => {
    expect(actionPayload('status', { task_id: 't' })).toEqual({ input: { action: 'status', task_id: 't' } });
  });
});

describe('the answers', () => {
  const upstream = {
    output: {
      message: { role: 'assistant', content: [{ text: 'Task accepted: t' }] },
      result: { status: 'accepted', task_id: 't' },
      timestamp: '2026-12-03T00:00:00Z',
    },
  };

  it("understands upstream's {output:{result:{status}}} as started (it was read as an unknown status before)", () => {
    expect(agentResult(upstream)).toEqual({ status: 'accepted', task_id: 't' });
    expect(interpretStartAnswer(upstream)).toEqual({ kind: 'started' });
  });

  it('understands the flat shape, and a finished answer in either shape', () => {
    expect(interpretStartAnswer({ status: 'running' })).toEqual({ kind: 'started' });
    expect(interpretStartAnswer({ output: { result: { status: 'failed', error: 'no repo access' } } })).toMatchObject({
      kind: 'finished',
      ok: false,
      reason: 'agent: no repo access',
    });
    expect(interpretStartAnswer({ output: { result: { status: 'completed', pr_url: 'u' } } })).toMatchObject({
      kind: 'finished',
      ok: true,
      result: { pr_url: 'u' },
    });
  });

  it('fails an unknown answer with the answer in the reason, never silently', () => {
    const verdict = interpretStartAnswer({ output: { result: { status: 'thinking' } } });
    expect(verdict).toMatchObject({ kind: 'finished', ok: false, reason: expect.stringContaining('"thinking"') });
    expect((verdict as { reason: string }).reason).toContain('output');
  });
});

describe('the task view of what the agent wrote', () => {
  const base: TaskRecord = { ...TASK, status: 'COMPLETED', request_hash: 'h', submitted_by: 'user:u', created_at: 'c', updated_at: 'u', version: 4 };

  it("maps upstream's outcome attributes (numbers stored as strings) to typed fields", () => {
    // Prepare: as upstream's write_terminal leaves the row
    const row: TaskRecord = {
      ...base,
      agent_heartbeat_at: '2026-12-03T00:01:00.000Z',
      completed_at: '2026-12-03T00:02:00.000Z',
      pr_url: 'https://github.com/octo/widgets/pull/7',
      cost_usd: '0.4213',
      turns: '12',
      duration_s: '95.5',
      build_passed: true,
      lint_passed: false,
    };
    // Act
    const view = toTaskView(row);
    // Assess
    expect(view).toMatchObject({
      heartbeat_at: '2026-12-03T00:01:00.000Z',
      finished_at: '2026-12-03T00:02:00.000Z',
      pr_url: 'https://github.com/octo/widgets/pull/7',
      cost_usd: 0.4213,
      turns: 12,
      duration_s: 95.5,
      build_passed: true,
      lint_passed: false,
    });
    expect(view).not.toHaveProperty('agent_heartbeat_at');
    expect(view).not.toHaveProperty('completed_at');
  });

  it("shows the agent's error_message as the reason of a FAILED task it wrote", () => {
    const view = toTaskView({ ...base, status: 'FAILED', error_message: 'build failed' });
    expect(view).toMatchObject({ status_reason: 'agent: build failed', error_message: 'build failed' });
  });

  it('keeps a status it does not run as it is (FINALIZING), never FAILED', () => {
    expect(toTaskView({ ...base, status: 'FINALIZING' }).status).toBe('FINALIZING');
  });
});

describe('the reconciler reads upstream names and states', () => {
  const t0 = Date.parse('2026-12-03T00:00:00.000Z');
  const iso = (ms: number) => new Date(t0 + ms).toISOString();
  const s = DEFAULT_RECONCILER_SETTINGS;

  it('a fresh agent_heartbeat_at keeps a task alive (only heartbeat_at was read before)', () => {
    const task = { status: 'RUNNING' as const, created_at: iso(0), started_at: iso(0), updated_at: iso(0), agent_heartbeat_at: iso(s.heartbeatThresholdMs) };
    expect(decide(task, t0 + s.heartbeatThresholdMs + 1000)).toEqual({ action: 'none' });
  });

  it('FINALIZING is the agent still at work: the RUNNING rules apply', () => {
    expect(decide({ status: 'FINALIZING', created_at: iso(0), started_at: iso(0), updated_at: iso(0), agent_heartbeat_at: iso(0) }, t0 + 1000)).toEqual({
      action: 'none',
    });
    expect(
      decide({ status: 'FINALIZING', created_at: iso(0), started_at: iso(0), updated_at: iso(0), agent_heartbeat_at: iso(0) }, t0 + s.heartbeatThresholdMs),
    ).toMatchObject({ action: 'fail' });
  });

  it('AWAITING_APPROVAL is refused with the reason', () => {
    expect(decide({ status: 'AWAITING_APPROVAL', created_at: iso(0), started_at: iso(0), updated_at: iso(0) }, t0 + 1000)).toEqual({
      action: 'fail',
      reason: expect.stringContaining('approval gates (AWAITING_APPROVAL) are not supported'),
    });
  });
});

describe('the CLI shows the outcome', () => {
  it('bgagent task status prints the PR, turns, cost and verification results together', () => {
    // Prepare
    const view = toTaskView({
      ...TASK,
      status: 'COMPLETED',
      request_hash: 'h',
      submitted_by: 'user:u',
      created_at: 'c',
      updated_at: 'u',
      version: 4,
      pr_url: 'https://github.com/octo/widgets/pull/7',
      turns: '12',
      cost_usd: '0.42',
      build_passed: true,
      lint_passed: true,
    });
    // Act
    const text = renderTask(view as unknown as Task);
    // Assess
    const lines = text.split('\n');
    const at = (field: string) => lines.findIndex((l) => l.startsWith(field));
    expect(lines[at('pr_url')]).toContain('https://github.com/octo/widgets/pull/7');
    expect(lines[at('turns')]).toMatch(/12$/);
    expect(lines[at('cost_usd')]).toMatch(/0\.42$/);
    expect(at('turns')).toBe(at('pr_url') + 1);
    expect(at('build_passed')).toBeGreaterThan(at('cost_usd'));
  });
});
