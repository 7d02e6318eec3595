/**
 * Each task's agent gets its repository's GitHub token, from that repository's own secret, in the
 * invocation (input.github_token): and the token is in no row, no log line (platform, data plane,
 * agent) and no error or view.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { getTask, startTask, submitTask } from '../../src/tasks/orchestrator';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { taskBed, TEST_AGENT_ENV, type TaskBed } from './support';

const lines: string[] = [];

describe('GitHub tokens for the agent', () => {
  useMoto();
  const plane = useDataPlane({ agentEnv: TEST_AGENT_ENV, log: (l) => lines.push(l) });
  let bed: TaskBed;
  const token = `ghp_${randomBytes(18).toString('hex')}`;
  const otherToken = `ghp_${randomBytes(18).toString('hex')}`;
  let secretArn: string;
  beforeAll(async () => {
    bed = await taskBed('tokens', plane);
    const put = async (name: string, value: string) =>
      (await bed.clients.secrets.send(new CreateSecretCommand({ Name: `${bed.platform.secretPrefix}github-token/${name}`, SecretString: value }))).ARN!;
    secretArn = await put('octo/with-token', token);
    await put('octo/other', otherToken);
    await bed.putRepo('octo/with-token', 'active', { github_token_secret_arn: secretArn });
    await bed.putRepo('octo/lost-secret', 'active', { github_token_secret_arn: `${secretArn.replace(/with-token.*$/, 'gone')}-AbCdEf` });
  });

  it("hands the agent its repository's token, and writes it nowhere: no row, no log line, no view", async () => {
    // Prepare
    const deps = bed.deps({ log: (l) => lines.push(l) });
    const { task } = await submitTask(deps, { caller: 'user:alice', input: { repo: 'octo/with-token', description: 'Push a branch' } });
    // Act
    await startTask(deps, task.task_id);
    const done = await bed.waitFor(deps, task.task_id);
    const rows = (await bed.clients.doc.send(new ScanCommand({ TableName: bed.platform.tables.tasks }))).Items ?? [];
    // Assess: the agent got a token (it says so without showing it), and it is nowhere else
    expect(done.status).toBe('COMPLETED');
    expect(done.result).toMatchObject({ github_token: 'received' });
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(await getTask(deps, task.task_id))).not.toContain(token);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain(otherToken);
  });

  it('fails a task whose token secret cannot be read, naming the field, not the ARN or a token', async () => {
    // Prepare
    const deps = bed.deps({ log: (l) => lines.push(l) });
    const { task } = await submitTask(deps, { caller: 'user:alice', input: { repo: 'octo/lost-secret', description: 'Push a branch' } });
    // Act
    const after = await startTask(deps, task.task_id);
    // Assess
    expect(after.status).toBe('FAILED');
    expect(after.status_reason).toBe("the repository's GitHub token (github_token_secret_arn) could not be read: ResourceNotFoundException");
    expect(after.status_reason).not.toContain('arn:');
    // Only the first test's task reached the agent.
    expect(bed.invocations()).toBe(1);
  });
});
