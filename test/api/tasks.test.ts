/**
 * `/v1/tasks` over real HTTP on the local server, with a real agent process server behind the
 * HTTP invoker (ABCA_AGENT_URL, as `npm run dev` sets it): submit to an active repository and watch
 * it complete, idempotent resubmission, 422 for a repository that is not active, scopes, cancel.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startAgentServer, type RunningAgent } from '../../agent/src/server';
import { LambdaTaskDispatcher } from '../../src/api/task-dispatch';
import { MODEL, useApi, type Harness } from './support';
import { captureCalls } from '../support/faults';

type Task = { task_id: string; repo: string; status: string; status_reason?: string; config?: Record<string, unknown>; result?: Record<string, unknown> };
type Page = { items: Task[]; next_token?: string };

let agent: RunningAgent;
beforeAll(async () => {
  // Before the API server starts: its invoker is chosen from the environment, as in local mode.
  agent = await startAgentServer({ port: 0, buildInfo: { version: '0.0.0-test', commit: 'abc1234', digest: null } });
  process.env.ABCA_AGENT_URL = agent.url;
});
const harness = useApi({ env: 'tasksapi' });
afterAll(async () => {
  delete process.env.ABCA_AGENT_URL;
  await agent.close();
});

async function onboard(h: Harness, repo: string): Promise<void> {
  expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo } })).status).toBe(201);
  await h.api.idle();
}

describe('POST /v1/tasks', () => {
  it('submits to an active repository and the task runs to COMPLETED with the merged configuration', async () => {
    // Prepare
    const h = harness();
    await onboard(h, 'tasks/web');
    // Act
    const submitted = await h.call<Task>('POST', '/v1/tasks', { token: h.operatorToken, body: { repo: 'Tasks/Web', description: 'Fix the flaky login test' } });
    await h.api.idle();
    const done = await h.call<Task>('GET', `/v1/tasks/${submitted.body.task_id}`, { token: h.operatorToken });
    // Assess
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ repo: 'tasks/web', status: 'SUBMITTED' });
    expect(submitted.headers.get('location')).toBe(`/v1/tasks/${submitted.body.task_id}`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('COMPLETED');
    expect(done.body.config).toMatchObject({ model_id: MODEL, max_turns: 100 });
    expect(done.body.result).toBeDefined();
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
    const mint = async (scopes: string[]) => (await h.call<{ api_key: string }>('POST', '/v1/api-keys', { token: h.adminToken, body: { name: scopes.join('-').replace(/:/g, '-'), scopes } })).body.api_key;
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
    await h.api.idle();
    // Act
    const completed = await h.call<Page>('GET', '/v1/tasks?status=COMPLETED&repo=tasks/list', { token: h.operatorToken });
    const missing = await h.call('GET', '/v1/tasks/nosuchtask', { token: h.operatorToken });
    const cancel = await h.call('POST', `/v1/tasks/${t.body.task_id}/cancel`, { token: h.operatorToken });
    // Assess
    expect(completed.body.items.map((x) => x.task_id)).toEqual([t.body.task_id]);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ error: { code: 'ILLEGAL_TRANSITION' } });
  });
});

describe('LambdaTaskDispatcher', () => {
  it('runs a task as an asynchronous invocation of the API function with {"abcaRunTask": id}', async () => {
    // Prepare: capture the Invoke request on a real client and answer it without sending (moto has no such function)
    const lambda = new LambdaClient({});
    const sent = captureCalls<{ FunctionName?: string; InvocationType?: string; Payload?: Uint8Array }>(lambda, { command: 'Invoke', answer: () => ({ StatusCode: 202 }) });
    // Act
    await new LambdaTaskDispatcher(lambda, 'abca-dev-api').dispatch('t-123');
    // Assess
    expect(sent.map(({ input }) => ({ ...input, Payload: new TextDecoder().decode(input.Payload) }))).toEqual([
      { FunctionName: 'abca-dev-api', InvocationType: 'Event', Payload: '{"abcaRunTask":"t-123"}' },
    ]);
  });
});
