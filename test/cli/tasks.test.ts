/**
 * `bgagent submit` and `task status | list | watch | cancel`, the built binary against the local
 * control plane: the API server with the real agent process behind it (as `npm run dev` runs it),
 * and a second API server on the same environment whose agent holds each invocation until the
 * test answers it — so a task can be caught RUNNING, cancelled, or made to fail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAgentServer, type RunningAgent } from '../../agent/src/server';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createClients } from '../../src/aws/clients';
import { ensureLocalUser } from '../../src/local/admin-user';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { useMoto } from '../support/moto';
import { bgagent, tempConfigDir, useBuiltCli, type CliRun } from './support';

const ENV = 'clitasks';
const REPO = 'acme/tasks';

/** An agent endpoint that answers only when told to. */
interface HeldAgent {
  url: string;
  /** Resolves once an invocation is waiting. */
  next(): Promise<void>;
  /** Answers every waiting invocation with an agent error. */
  failAll(message: string): void;
  close(): Promise<void>;
}

async function startHeldAgent(): Promise<HeldAgent> {
  const held: ServerResponse[] = [];
  let arrived: (() => void) | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      held.push(res);
      arrived?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const failAll = (message: string) => {
    for (const res of held.splice(0)) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'AGENT_ERROR', message } }));
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next: () => (held.length ? Promise.resolve() : new Promise<void>((resolve) => (arrived = resolve))),
    failAll,
    close: async () => {
      failAll('shutting down');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('bgagent submit and task (built binary, local control plane)', () => {
  useMoto();
  useBuiltCli();
  const clients = createClients();
  let agent: RunningAgent;
  let heldAgent: HeldAgent;
  let api: ApiServer;
  let heldApi: ApiServer;
  let dir: string;
  const cli = (args: string[], apiUrl = api.url): Promise<CliRun> => bgagent(args, { env: { BGAGENT_CONFIG_DIR: dir, ABCA_API_URL: apiUrl } });

  beforeAll(async () => {
    const { platform } = await bootstrapLocal({ env: ENV, clients });
    // Each API server picks its agent from ABCA_AGENT_URL when it starts, as in local mode.
    agent = await startAgentServer({ port: 0, log: () => undefined, buildInfo: { version: '0.0.0-test', commit: 'abc1234', digest: null } });
    heldAgent = await startHeldAgent();
    process.env.ABCA_AGENT_URL = agent.url;
    api = await startApiServer({ env: ENV, port: 0, clients, log: () => undefined });
    process.env.ABCA_AGENT_URL = heldAgent.url;
    heldApi = await startApiServer({ env: ENV, port: 0, clients, log: () => undefined });
    delete process.env.ABCA_AGENT_URL;
    const admin = await ensureLocalUser(clients.cognito, platform.userPoolId, 'admin', 'admin');
    dir = tempConfigDir();
    const setup = [
      await cli(['configure', '--env', ENV]),
      await bgagent(['login', '--username', admin.username, '--password-stdin'], { env: { BGAGENT_CONFIG_DIR: dir }, input: admin.password }),
      await cli(['repo', 'onboard', REPO, '--wait', '--wait-interval-ms', '100']),
    ];
    const failed = setup.find((r) => r.code !== 0);
    if (failed) throw new Error(`setup failed: ${failed.stderr}`);
  }, 60_000);

  afterAll(async () => {
    await heldAgent?.close();
    await heldApi?.close();
    await api?.close();
    await agent?.close();
  });

  it('submit --json, then task watch exits 0 at COMPLETED; task status and task list show it', async () => {
    // Act
    const submit = await cli(['submit', '--repo', REPO, '--description', 'Fix the flaky date test', '--json']);
    const id = submit.json().task_id;
    const watch = await cli(['task', 'watch', id, '--interval-ms', '100', '--json']);
    const [status, list, table] = await Promise.all([cli(['task', 'status', id, '--json']), cli(['task', 'list', '--repo', REPO, '--json']), cli(['task', 'list', '--repo', REPO])]);
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
    const again = await cli(['submit', '--repo', REPO, '--description', 'Bump deps', '--idempotency-key', 'ci-run-1', '--watch', '--interval-ms', '100', '--json']);
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

  it('task cancel stops a running task; watching it then exits 1, and cancelling again is a conflict (3)', async () => {
    // Prepare: a task the held agent keeps RUNNING
    const id = (await cli(['submit', '--repo', REPO, '--description', 'Long job', '--json'], heldApi.url)).json().task_id;
    await heldAgent.next();
    // Act
    const cancel = await cli(['task', 'cancel', id, '--json']);
    const watch = await cli(['task', 'watch', id, '--json']);
    const again = await cli(['task', 'cancel', id]);
    heldAgent.failAll('too late');
    // Assess
    expect(cancel.code).toBe(0);
    expect(cancel.json()).toMatchObject({ task_id: id, status: 'CANCELLED' });
    expect(watch.code).toBe(1);
    expect(watch.json()).toMatchObject({ ok: false, error: { code: 'TASK_CANCELLED' } });
    expect(again.code).toBe(3);
    expect(again.errors()).toEqual([expect.stringMatching(/^error: ILLEGAL_TRANSITION: /)]);
  });

  it('task watch of a task the agent fails exits 1 with TASK_FAILED and the reason', async () => {
    // Prepare
    const id = (await cli(['submit', '--repo', REPO, '--description', 'Doomed job', '--json'], heldApi.url)).json().task_id;
    await heldAgent.next();
    // Act
    const watching = cli(['task', 'watch', id, '--interval-ms', '100']);
    heldAgent.failAll('the build broke');
    const watch = await watching;
    // Assess
    expect(watch.code).toBe(1);
    expect(watch.errors()).toEqual([expect.stringMatching(new RegExp(`^error: TASK_FAILED: task ${id} FAILED: .*the build broke`))]);
  });
});
