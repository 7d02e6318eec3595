/**
 * Bring your own agent: an agent written in Python (test/agent/fixtures/abca_agent.py, standard
 * library only) that implements upstream ABCA's contract runs as its own process through the data
 * plane's agent command (`npm run dev -- --agent-cmd "<cmd>"`). A task submitted through the API
 * reaches COMPLETED, its PR URL in the task view, written by that process with upstream's names.
 */
import { randomBytes } from 'node:crypto';
import { useDataPlane } from '../support/data-plane';
import { useApi, type Harness } from '../api/support';

type Task = {
  task_id: string;
  status: string;
  pr_url?: string;
  turns?: number;
  cost_usd?: number;
  build_passed?: boolean;
  answer_text?: string;
  status_reason?: string;
};

const harness = useApi({ env: 'pyagent' });
const plane = useDataPlane({ agentCommand: 'python3 test/agent/fixtures/abca_agent.py', agentEnv: { ABCA_FIXTURE_HEARTBEAT_S: '0.1' } });

async function finished(h: Harness, id: string): Promise<Task> {
  for (let i = 0; i < 600; i++) {
    const res = await h.call<Task>('GET', `/v1/tasks/${id}`, { token: h.adminToken });
    if (!['SUBMITTED', 'RUNNING'].includes(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${id} did not finish`);
}

describe('an ABCA-contract agent in Python, run through --agent-cmd', () => {
  it('takes a task submitted through the API to COMPLETED with its PR URL in the view; its token came in the payload and is nowhere logged', async () => {
    // Prepare
    const h = harness();
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'py/widgets' } })).status).toBe(201);
    await h.api.idle();
    expect((await h.call('PUT', '/v1/repos/py/widgets/github-token', { token: h.adminToken, body: { token } })).status).toBeLessThan(300);
    await h.api.idle();
    // Act
    const submitted = await h.call<Task>('POST', '/v1/tasks', { token: h.operatorToken, body: { repo: 'py/widgets', description: 'Fix the parser' } });
    const done = await finished(h, submitted.body.task_id);
    // Assess: only the Python process writes pull/42, upstream's names, numbers as strings
    expect(submitted.status).toBe(201);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      pr_url: 'https://github.com/py/widgets/pull/42',
      turns: 3,
      cost_usd: 0.0123,
      build_passed: true,
      answer_text: 'token: payload',
    });
    expect(plane().calls.find((c) => c.sessionId === submitted.body.task_id)).toMatchObject({ operation: 'InvokeAgentRuntime', status: 200 });
    expect(h.logs.join('\n')).not.toContain(token);
  });
});
