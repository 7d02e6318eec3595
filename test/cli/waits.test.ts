/** Waiting on the API: when `repo --wait` and `task --watch` end, and with which exit code. */
import { repoVerdict } from '../../src/cli/commands/repo';
import { taskVerdict } from '../../src/cli/commands/task';

describe('waits', () => {
  it('repo wait: active ends it, failed fails with its reason (exit 1), provisioning goes on', () => {
    // Prepare
    const row = (status: string, status_reason?: string) => ({ repo: 'acme/w', status, status_reason }) as never;
    // Act
    const failed = repoVerdict(row('failed', 'secret not found'));
    // Assess
    expect(repoVerdict(row('active'))).toEqual({ done: true, value: row('active') });
    expect(repoVerdict(row('provisioning'))).toEqual({ done: false, text: 'acme/w: provisioning' });
    expect(failed.done && 'error' in failed && failed.error).toMatchObject({
      code: 'PROVISIONING_FAILED',
      exitCode: 1,
      message: 'acme/w: provisioning failed: secret not found',
    });
  });

  it('task watch: COMPLETED ends it, FAILED and CANCELLED fail (exit 1), SUBMITTED and RUNNING go on', () => {
    // Prepare
    const t = (status: string) => ({ task_id: 't1', repo: 'acme/w', status });
    // Act / Assess
    expect(taskVerdict(t('COMPLETED'))).toMatchObject({ done: true, value: t('COMPLETED') });
    expect(taskVerdict(t('RUNNING'))).toMatchObject({ done: false });
    expect(taskVerdict(t('SUBMITTED'))).toMatchObject({ done: false });
    for (const s of ['FAILED', 'CANCELLED']) {
      const v = taskVerdict(t(s));
      expect(v.done && 'error' in v && v.error).toMatchObject({ code: `TASK_${s}`, exitCode: 1 });
    }
  });
});
