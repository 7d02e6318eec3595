/**
 * `/v1/tasks` over real HTTP on the local server, the agent behind InvokeAgentRuntime on the local
 * AgentCore data plane (as `npm run dev` runs it): submit to an active repository and watch it
 * complete, idempotent resubmission, 422 for a repository that is not active, scopes, cancel, and
 * who may see and cancel which task.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaTaskDispatcher } from '../../src/tasks/dispatch';
import { ensureLocalUser } from '../../src/local/admin-user';
import { useDataPlane } from '../support/data-plane';
import { TEST_AGENT_ENV } from '../tasks/support';
import { accessToken, MODEL, useApi, type Harness } from './support';
import { captureCalls } from '../support/faults';

type Task = {
  task_id: string;
  repo: string;
  status: string;
  status_reason?: string;
  submitted_by?: string;
  config?: Record<string, unknown>;
  result?: Record<string, unknown>;
  heartbeat_at?: string;
  progress?: string;
};
type Page = { items: Task[]; next_token?: string };

const harness = useApi({ env: 'tasksapi' });
const plane = useDataPlane({ agentEnv: TEST_AGENT_ENV });

/** Polls GET /v1/tasks/{id} until the task is finished. */
async function finished(h: Harness, id: string, token = h.adminToken): Promise<Task> {
  for (let i = 0; i < 400; i++) {
    const res = await h.call<Task>('GET', `/v1/tasks/${id}`, { token });
    if (!['SUBMITTED', 'RUNNING'].includes(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${id} did not finish`);
}

async function onboard(h: Harness, repo: string): Promise<void> {
  expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo } })).status).toBe(201);
  await h.api.idle();
}

describe('POST /v1/tasks', () => {
  it('submits to an active repository and the task runs to COMPLETED with the merged configuration', async () => {
    // Prepare
    const h = harness();
    await onboard(h, 'tasks/web');
    const started = Date.now();
    // Act
    const submitted = await h.call<Task>('POST', '/v1/tasks', { token: h.operatorToken, body: { repo: 'Tasks/Web', description: 'Fix the flaky login test' } });
    const done = await finished(h, submitted.body.task_id, h.operatorToken);
    // Assess
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ repo: 'tasks/web', status: 'SUBMITTED' });
    expect(submitted.headers.get('location')).toBe(`/v1/tasks/${submitted.body.task_id}`);
    expect(done.status).toBe('COMPLETED');
    expect(done.config).toMatchObject({ model_id: MODEL, max_turns: 100 });
    expect(done.result).toMatchObject({ status: 'completed', session_id: submitted.body.task_id, agent: { commit: TEST_AGENT_ENV.GIT_COMMIT } });
    expect(done.heartbeat_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(Date.parse(done.heartbeat_at!)).toBeGreaterThanOrEqual(started);
    expect(plane().calls.find((c) => c.sessionId === submitted.body.task_id)).toMatchObject({ operation: 'InvokeAgentRuntime', qualifier: 'live' });
  });

  it('returns the same task for a resubmission with the same idempotency key, 409 for another task under it', async () => {
    // Prepare
    const h = harness();
    await onboard(h, 'tasks/idem');
    const body = { repo: 'tasks/idem', description: 'Bump dependencies', idempotency_key: 'ci-run-77' };
    // Act
    const first = await h.call<Task>('POST', '/v1/tasks', { token: h.adminToken, body });
    const again = await h.call<Task>('POST', '/v1/tasks', { token: h.adminToken, body });
    const other = await h.call('POST', '/v1/tasks', { token: h.adminToken, body: { ...body, description: 'Something else' } });
    await h.api.idle();
    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.task_id).toBe(first.body.task_id);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: { code: 'IDEMPOTENCY_MISMATCH' } });
    const listed = await h.call<Page>('GET', '/v1/tasks?repo=tasks/idem', { token: h.adminToken });
    expect(listed.body.items.map((t) => t.task_id)).toEqual([first.body.task_id]);
  });

  it('refuses a removed or unknown repository with 422 REPO_NOT_ONBOARDED and writes no task', async () => {
    // Prepare
    const h = harness();
    await onboard(h, 'tasks/gone');
    expect((await h.call('DELETE', '/v1/repos/tasks/gone', { token: h.adminToken })).status).toBe(200);
    await h.api.idle();
    // Act
    const removed = await h.call('POST', '/v1/tasks', { token: h.adminToken, body: { repo: 'tasks/gone', description: 'x' } });
    const unknown = await h.call('POST', '/v1/tasks', { token: h.adminToken, body: { repo: 'tasks/never', description: 'x' } });
    // Assess
    expect(removed.status).toBe(422);
    expect(removed.body).toMatchObject({ error: { code: 'REPO_NOT_ONBOARDED' } });
    expect(unknown.status).toBe(422);
    const listed = await h.call<Page>('GET', '/v1/tasks?repo=tasks/gone', { token: h.adminToken });
    expect(listed.body.items).toEqual([]);
  });

  it('takes a tasks:submit key and refuses a key without that scope or no credentials at all', async () => {
    // Prepare
    const h = harness();
    await onboard(h, 'tasks/keys');
    const mint = async (scopes: string[]) =>
      (await h.call<{ api_key: string }>('POST', '/v1/api-keys', { token: h.adminToken, body: { name: scopes.join('-').replace(/:/g, '-'), scopes } })).body
        .api_key;
    const [submitKey, readKey] = [await mint(['tasks:submit']), await mint(['repos:read'])];
    const body = { repo: 'tasks/keys', description: 'Add a README' };
    // Act
    const withScope = await h.call<Task>('POST', '/v1/tasks', { apiKey: submitKey, body });
    const withoutScope = await h.call('POST', '/v1/tasks', { apiKey: readKey, body });
    const anonymous = await h.call('POST', '/v1/tasks', { body });
    await h.api.idle();
    // Assess
    expect(withScope.status).toBe(201);
    expect(withoutScope.status).toBe(403);
    expect(anonymous.status).toBe(401);
    const listed = await h.call<Page>('GET', '/v1/tasks?repo=tasks/keys', { token: h.adminToken });
    expect(listed.body.items).toHaveLength(1);
  });

  it.each([
    ['an unknown field', { repo: 'tasks/web', description: 'x', priority: 1 }],
    ['an empty description', { repo: 'tasks/web', description: '' }],
    ['a bad repository id', { repo: '../etc/passwd', description: 'x' }],
    ['control characters', { repo: 'tasks/web', description: 'a\u0000b' }],
  ])('refuses %s with 400 and the error shape', async (_what, body) => {
    // Prepare
    const h = harness();
    // Act
    const res = await h.call('POST', '/v1/tasks', { token: h.adminToken, body });
    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION_ERROR', message: expect.any(String) } });
  });
});

describe('GET and cancel', () => {
  it('lists by status, 404s an unknown id, and refuses to cancel a finished task with 409', async () => {
    // Prepare
    const h = harness();
    await onboard(h, 'tasks/list');
    const t = await h.call<Task>('POST', '/v1/tasks', { token: h.adminToken, body: { repo: 'tasks/list', description: 'Refactor' } });
    await finished(h, t.body.task_id);
    // Act
    const completed = await h.call<Page>('GET', '/v1/tasks?status=COMPLETED&repo=tasks/list', { token: h.adminToken });
    const missing = await h.call('GET', '/v1/tasks/nosuchtask', { token: h.operatorToken });
    const cancel = await h.call('POST', `/v1/tasks/${t.body.task_id}/cancel`, { token: h.adminToken });
    // Assess
    expect(completed.body.items.map((x) => x.task_id)).toEqual([t.body.task_id]);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ error: { code: 'ILLEGAL_TRANSITION' } });
  });
});

describe('who sees and cancels which task', () => {
  it("an operator cannot read or cancel another user's task (404); a tasks:submit key sees only its own; an admin sees all", async () => {
    // Prepare: tasks by the operator, by another operator and by a key
    const h = harness();
    await onboard(h, 'tasks/owners');
    const olga = await ensureLocalUser(h.clients.cognito, h.platform.userPoolId, 'olga', 'operator');
    const olgaToken = await accessToken(h.clients.cognito, h.platform.userPoolClientId, olga);
    const key = (await h.call<{ api_key: string }>('POST', '/v1/api-keys', { token: h.adminToken, body: { name: 'owner-bot', scopes: ['tasks:submit'] } })).body
      .api_key;
    const body = (d: string) => ({ repo: 'tasks/owners', description: d });
    const mine = (await h.call<Task>('POST', '/v1/tasks', { token: h.operatorToken, body: body('oscar') })).body;
    const hers = (await h.call<Task>('POST', '/v1/tasks', { token: olgaToken, body: body('olga') })).body;
    const bots = (await h.call<Task>('POST', '/v1/tasks', { apiKey: key, body: body('bot') })).body;
    await Promise.all([mine, hers, bots].map((t) => finished(h, t.task_id)));
    // Act
    const readHers = await h.call('GET', `/v1/tasks/${hers.task_id}`, { token: h.operatorToken });
    const cancelHers = await h.call('POST', `/v1/tasks/${hers.task_id}/cancel`, { token: h.operatorToken });
    const keyList = await h.call<Page>('GET', '/v1/tasks?repo=tasks/owners', { apiKey: key });
    const keyReadsMine = await h.call('GET', `/v1/tasks/${mine.task_id}`, { apiKey: key });
    const operatorList = await h.call<Page>('GET', '/v1/tasks', { token: h.operatorToken, headers: {} });
    const adminList = await h.call<Page>('GET', '/v1/tasks?repo=tasks/owners', { token: h.adminToken });
    const ownRead = await h.call<Task>('GET', `/v1/tasks/${mine.task_id}`, { token: h.operatorToken });
    // Assess
    expect(readHers.status).toBe(404);
    expect(readHers.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
    expect(cancelHers.status).toBe(404);
    expect(keyList.body.items.map((t) => t.task_id)).toEqual([bots.task_id]);
    expect(keyReadsMine.status).toBe(404);
    expect(operatorList.body.items.every((t) => t.submitted_by === mine.submitted_by)).toBe(true);
    expect(operatorList.body.items.map((t) => t.task_id)).toContain(mine.task_id);
    expect(adminList.body.items.map((t) => t.task_id).sort()).toEqual([mine.task_id, hers.task_id, bots.task_id].sort());
    expect(ownRead.status).toBe(200);
  });

  it('the task view never carries the token secret ARN', async () => {
    // Prepare: a repository with a token secret
    const h = harness();
    const { CreateSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    const secret = await h.clients.secrets.send(
      new CreateSecretCommand({ Name: `${h.platform.secretPrefix}github-token/tasks/secret`, SecretString: 'ghp_x' }),
    );
    expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'tasks/secret', github_token_secret_arn: secret.ARN } })).status).toBe(201);
    await h.api.idle();
    const t = (await h.call<Task>('POST', '/v1/tasks', { token: h.adminToken, body: { repo: 'tasks/secret', description: 'Use the token' } })).body;
    // Act
    const done = await finished(h, t.task_id);
    const listed = await h.call<Page>('GET', '/v1/tasks?repo=tasks/secret', { token: h.adminToken });
    // Assess
    expect(done.status).toBe('COMPLETED');
    expect(JSON.stringify(done)).not.toContain('secretsmanager');
    expect(JSON.stringify(listed.body)).not.toContain('secretsmanager');
    expect(done.config).not.toHaveProperty('github_token_secret_arn');
  });

  it('cancel of a running task answers CANCELLED and the session is stopped', async () => {
    // Prepare: a slow agent
    const h = harness();
    await onboard(h, 'tasks/cancel');
    plane().setAgentEnv({ ...TEST_AGENT_ENV, ABCA_AGENT_STEP_MS: '3000' });
    try {
      const t = (await h.call<Task>('POST', '/v1/tasks', { token: h.operatorToken, body: { repo: 'tasks/cancel', description: 'Slow' } })).body;
      for (let i = 0; i < 200; i++) {
        const cur = await h.call<Task>('GET', `/v1/tasks/${t.task_id}`, { token: h.operatorToken });
        if (cur.body.progress?.startsWith('step')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      // Act
      const cancel = await h.call<Task>('POST', `/v1/tasks/${t.task_id}/cancel`, { token: h.operatorToken });
      // Assess
      expect(cancel.status).toBe(200);
      expect(cancel.body.status).toBe('CANCELLED');
      expect(plane().calls.filter((c) => c.operation === 'StopRuntimeSession' && c.sessionId === t.task_id)).toEqual([
        expect.objectContaining({ status: 200 }),
      ]);
    } finally {
      plane().setAgentEnv({});
    }
  });
});

describe('LambdaTaskDispatcher', () => {
  it('runs a task as an asynchronous invocation of the API function with {"abcaRunTask": id}', async () => {
    // Prepare: capture the Invoke request on a real client and answer it without sending (moto has no such function)
    const lambda = new LambdaClient({});
    const sent = captureCalls<{ FunctionName?: string; InvocationType?: string; Payload?: Uint8Array }>(lambda, {
      command: 'Invoke',
      answer: () => ({ StatusCode: 202 }),
    });
    // Act
    await new LambdaTaskDispatcher(lambda, 'abca-dev-api').dispatch('t-123');
    // Assess
    expect(sent.map(({ input }) => ({ ...input, Payload: new TextDecoder().decode(input.Payload) }))).toEqual([
      { FunctionName: 'abca-dev-api', InvocationType: 'Event', Payload: '{"abcaRunTask":"t-123"}' },
    ]);
  });
});
