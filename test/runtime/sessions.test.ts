/**
 * Session-aware cutover: every task records the runtime version it started on; after a publish,
 * `runtime status` lists the tasks still running on the old version, and cancel still reaches them
 * (StopRuntimeSession with the qualifier and session the task recorded).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../src/aws/clients';
import { loadPlatformConfig } from '../../src/platform/platform-config';
import { REPO_DEFAULTS, RepoConfigSchema } from '../../src/repos/repo-config';
import { publishRuntime, runtimeStatus } from '../../src/runtime';
import { drainVersion } from '../../src/runtime/drain';
import { sessionsOffLive } from '../../src/runtime/verbs/status';
import { cancelTask, getTask, startTask, submitTask } from '../../src/tasks/orchestrator';
import { taskDeps } from '../../src/wiring/tasks';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, FAST, pushImage } from './support';

describe('sessions across a publish', () => {
  useMoto();
  const plane = useDataPlane({ agentEnv: { GIT_COMMIT: 'abc1234', ABCA_HEARTBEAT_MS: '100', ABCA_AGENT_STEP_MS: '3000' } });
  const clients = createClients();

  it('only running tasks on another version than live are listed (pure)', () => {
    const running = [
      { task_id: 't1', repo: 'a/b', runtime_version: '2', runtime_qualifier: 'live' },
      { task_id: 't2', repo: 'a/b', runtime_version: '3', runtime_qualifier: 'live' },
      { task_id: 't3', repo: 'a/b' },
    ];
    expect(sessionsOffLive(running, '3')).toEqual([{ task_id: 't1', repo: 'a/b', version: '2', qualifier: 'live', started_at: undefined }]);
  });

  it('a task started before a publish is shown on its old version and can still be cancelled', async () => {
    // Prepare: a task running on live's version, then a publish moves live on
    const ctx = await bootstrappedRuntime('sessions', clients);
    const platform = await loadPlatformConfig(clients.ssm, 'sessions');
    const at = new Date().toISOString();
    const row = RepoConfigSchema.parse({ ...REPO_DEFAULTS, repo: 'acme/app', status: 'active', onboarded_at: at, updated_at: at, source: 'api', version: 1 });
    await clients.doc.send(new PutCommand({ TableName: platform.tables.repos, Item: row }));
    const deps = taskDeps(platform, clients);
    const { task } = await submitTask(deps, { caller: 'user:a', input: { repo: 'acme/app', description: 'a slow change' } });
    const started = await startTask(deps, task.task_id);
    const oldVersion = (await runtimeStatus(ctx)).runtime.version;
    const published = await publishRuntime(ctx, { imageDigest: await pushImage(ctx, 'next'), ...FAST });
    // Act
    const status = await runtimeStatus(ctx);
    const text = await runTsx('scripts/runtime-status.ts', ['--env', 'sessions']);
    const cancelled = await cancelTask(deps, task.task_id, { reason: 'cutover test' });
    // Assess
    expect(started).toMatchObject({ status: 'RUNNING', runtime_version: oldVersion, runtime_qualifier: 'live' });
    expect(published.runtimeVersion).not.toBe(oldVersion);
    expect(status.sessions).toEqual([expect.objectContaining({ task_id: task.task_id, version: oldVersion, qualifier: 'live' })]);
    expect(status.notes).toContain(
      `1 task(s) still running on version ${oldVersion}, not live's ${published.runtimeVersion}: they keep their session until they end`,
    );
    expect(text.stdout).toContain(`session ${task.task_id} (acme/app) on version ${oldVersion} via live`);
    expect(cancelled.status).toBe('CANCELLED');
    expect(plane().calls.filter((c) => c.operation === 'StopRuntimeSession' && c.sessionId === task.task_id)).toEqual([
      expect.objectContaining({ qualifier: 'live', status: 200 }),
    ]);
    expect(
      plane()
        .sessions()
        .map((s) => s.sessionId),
    ).not.toContain(task.task_id);
    expect((await getTask(deps, task.task_id)).runtime_version).toBe(oldVersion);
  });

  it('publish --drain waits for the outgoing version, with a limit, naming the tasks left; once they end it is drained', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('drain', clients);
    const platform = await loadPlatformConfig(clients.ssm, 'drain');
    const at = new Date().toISOString();
    const row = RepoConfigSchema.parse({ ...REPO_DEFAULTS, repo: 'acme/app', status: 'active', onboarded_at: at, updated_at: at, source: 'api', version: 1 });
    await clients.doc.send(new PutCommand({ TableName: platform.tables.repos, Item: row }));
    const deps = taskDeps(platform, clients);
    const { task } = await submitTask(deps, { caller: 'user:a', input: { repo: 'acme/app', description: 'a slow change' } });
    await startTask(deps, task.task_id);
    const outgoing = (await runtimeStatus(ctx)).runtime.version!;
    // Act
    const published = await publishRuntime(ctx, { imageDigest: await pushImage(ctx, 'next'), drain: true, drainTimeoutMs: 300, ...FAST, pollIntervalMs: 50 });
    await cancelTask(deps, task.task_id, { reason: 'done waiting' });
    const after = await drainVersion(ctx, outgoing, { timeoutMs: 5000, pollIntervalMs: 50 });
    // Assess
    expect(published.drain).toMatchObject({ version: outgoing, drained: false, remaining: [task.task_id] });
    expect(after).toMatchObject({ version: outgoing, drained: true, remaining: [] });
  });
});
