/**
 * `bgagent submit` and `task status | list | watch | cancel`, the built binary against the local
 * control plane: the API server, the agent behind InvokeAgentRuntime on the local AgentCore data
 * plane (as `npm run dev` runs it). A slow agent (its step time a knob) lets a task be caught
 * RUNNING, watched with its heartbeats, and cancelled.
 */
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createClients } from '../../src/aws/clients';
import { ensureLocalUser } from '../../src/local/admin-user';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { watchLine } from '../../src/cli/commands/task';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { TEST_AGENT_ENV } from '../tasks/support';
import { bgagent, tempConfigDir, useBuiltCli, type CliRun } from './support';

const ENV = 'clitasks';
const REPO = 'acme/tasks';
const TIGHT = 'acme/tight';

describe('bgagent submit and task (built binary, local control plane)', () => {
  useMoto();
  useBuiltCli();
  const plane = useDataPlane({ agentEnv: TEST_AGENT_ENV });
  const clients = createClients();
  let api: ApiServer;
  let dir: string;
  const cli = (args: string[]): Promise<CliRun> => bgagent(args, { env: { BGAGENT_CONFIG_DIR: dir, ABCA_API_URL: api.url } });

  beforeAll(async () => {
    const { platform } = await bootstrapLocal({ env: ENV, clients });
    api = await startApiServer({ env: ENV, port: 0, clients, log: () => undefined });
    const admin = await ensureLocalUser(clients.cognito, platform.userPoolId, 'admin', 'admin');
    dir = tempConfigDir();
    const setup = [
      await cli(['configure', '--env', ENV]),
      await bgagent(['login', '--username', admin.username, '--password-stdin'], { env: { BGAGENT_CONFIG_DIR: dir }, input: admin.password }),
      await cli(['repo', 'onboard', REPO, '--wait', '--wait-interval-ms', '100']),
      await cli(['repo', 'onboard', TIGHT, '--max-turns', '2', '--wait', '--wait-interval-ms', '100']),
    ];
    const failed = setup.find((r) => r.code !== 0);
    if (failed) throw new Error(`setup failed: ${failed.stderr}`);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });
  afterEach(() => plane().setAgentEnv({}));

  it('submit --json, then task watch exits 0 at COMPLETED; task status and task list show it', async () => {
    // Act
    const submit = await cli(['submit', '--repo', REPO, '--description', 'Fix the flaky date test', '--json']);
    const id = submit.json().task_id;
    const watch = await cli(['task', 'watch', id, '--interval-ms', '100', '--json']);
    const [status, list, table] = await Promise.all([
      cli(['task', 'status', id, '--json']),
      cli(['task', 'list', '--repo', REPO, '--json']),
      cli(['task', 'list', '--repo', REPO]),
    ]);
    // Assess
    expect(submit.code).toBe(0);
    expect(submit.json()).toMatchObject({ task_id: expect.any(String), repo: REPO, status: 'SUBMITTED', description: 'Fix the flaky date test' });
    expect(watch.code).toBe(0);
    expect(watch.json()).toMatchObject({ task_id: id, status: 'COMPLETED' });
    expect(status.json()).toMatchObject({ task_id: id, repo: REPO, status: 'COMPLETED', result: expect.any(Object) });
    expect(list.code).toBe(0);
    expect(list.json().items).toEqual(expect.arrayContaining([expect.objectContaining({ task_id: id, status: 'COMPLETED' })]));
    expect(table.stdout).toMatch(/^TASK ID\s+REPO\s+STATUS\s+CREATED\s+DESCRIPTION/);
    expect(table.stdout).toContain(`${id}  ${REPO}`);
  });

  it('submit --idempotency-key returns the same task the second time; --watch follows it to the end', async () => {
    // Act
    const first = await cli(['submit', '--repo', REPO, '--description', 'Bump deps', '--idempotency-key', 'ci-run-1', '--json']);
    const again = await cli([
      'submit',
      '--repo',
      REPO,
      '--description',
      'Bump deps',
      '--idempotency-key',
      'ci-run-1',
      '--watch',
      '--interval-ms',
      '100',
      '--json',
    ]);
    // Assess
    expect(first.code).toBe(0);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ task_id: first.json().task_id, status: 'COMPLETED' });
  });

  it('submit to a repository that is not onboarded exits 2 with REPO_NOT_ONBOARDED; an unknown task id exits 2', async () => {
    // Act
    const [submit, status] = await Promise.all([
      cli(['submit', '--repo', 'acme/not-here', '--description', 'anything', '--json']),
      cli(['task', 'status', 'task-00000000000000000000000000000000']),
    ]);
    // Assess
    expect(submit.code).toBe(2);
    expect(submit.json()).toMatchObject({ ok: false, error: { code: 'REPO_NOT_ONBOARDED', details: { status: 422 } } });
    expect(submit.errors()).toEqual([expect.stringMatching(/^error: REPO_NOT_ONBOARDED: repository acme\/not-here is not onboarded/)]);
    expect(status.code).toBe(2);
    expect(status.errors()).toEqual([expect.stringMatching(/^error: [A-Z_]+: /)]);
  });

  it('task watch shows the heartbeats and the last progress line while the agent works, and exits 0 at COMPLETED', async () => {
    // Prepare: each step takes 1.5 s, so the task is still RUNNING when the watch (a new process) first polls, even on a busy machine
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '1500' });
    const id = (await cli(['submit', '--repo', REPO, '--description', 'A slower job', '--json'])).json().task_id;
    // Act
    const watch = await cli(['task', 'watch', id, '--interval-ms', '100']);
    // Assess
    expect(watch.code).toBe(0);
    expect(watch.stderr).toMatch(new RegExp(`task ${id}: RUNNING \\| heartbeat \\d+ s ago \\| step \\d/4: `));
    expect(watch.stdout).toMatch(/^status\s+COMPLETED$/m);
  });

  it('task cancel stops a running task; watching it then exits 1, and cancelling again is a conflict (3)', async () => {
    // Prepare: a task the slow agent keeps RUNNING
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '5000' });
    const id = (await cli(['submit', '--repo', REPO, '--description', 'Long job', '--json'])).json().task_id;
    for (let i = 0; i < 200 && !(await cli(['task', 'status', id, '--json'])).json().progress?.startsWith('step'); i++)
      await new Promise((r) => setTimeout(r, 100));
    // Act
    const cancel = await cli(['task', 'cancel', id, '--json']);
    const watch = await cli(['task', 'watch', id, '--json']);
    const again = await cli(['task', 'cancel', id]);
    // Assess
    expect(cancel.code).toBe(0);
    expect(cancel.json()).toMatchObject({ task_id: id, status: 'CANCELLED' });
    expect(plane().calls.filter((c) => c.operation === 'StopRuntimeSession' && c.sessionId === id)).toHaveLength(1);
    expect(watch.code).toBe(1);
    expect(watch.json()).toMatchObject({ ok: false, error: { code: 'TASK_CANCELLED' } });
    expect(again.code).toBe(3);
    expect(again.errors()).toEqual([expect.stringMatching(/^error: ILLEGAL_TRANSITION: /)]);
  });

  it('task watch of a task the agent fails exits 1 with TASK_FAILED and the reason', async () => {
    // Prepare
    const id = (await cli(['submit', '--repo', TIGHT, '--description', 'Doomed job', '--json'])).json().task_id;
    // Act
    const watch = await cli(['task', 'watch', id, '--interval-ms', '100']);
    // Assess
    expect(watch.code).toBe(1);
    expect(watch.errors()).toEqual([
      expect.stringMatching(new RegExp(`^error: TASK_FAILED: task ${id} FAILED: agent: the plan needs \\d turns but max_turns for ${TIGHT} is 2`)),
    ]);
  });
});

describe('task watch line', () => {
  it('shows the state, the heartbeat age and the last progress line', () => {
    // Act
    const running = watchLine(
      { task_id: 't1', repo: 'o/r', status: 'RUNNING', heartbeat_at: '2030-01-01T00:00:00.000Z', progress: 'step 2/5: read: x' },
      Date.parse('2030-01-01T00:00:07Z'),
    );
    const submitted = watchLine({ task_id: 't2', repo: 'o/r', status: 'SUBMITTED' });
    // Assess
    expect(running).toBe('task t1: RUNNING | heartbeat 7 s ago | step 2/5: read: x');
    expect(submitted).toBe('task t2: SUBMITTED');
  });
});
