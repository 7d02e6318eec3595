/**
 * Shared setup for task tests: a bootstrapped platform in moto, RepoConfig rows, and the task path
 * as production runs it: InvokeAgentRuntime on `live` through the local AgentCore data plane
 * (useDataPlane in the suite), which starts real agent processes that write their task rows.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createClients, type AwsClients } from '../../src/aws/clients';
import type { AgentCoreDataPlane } from '../../src/local/agentcore-data-plane';
import { bootstrapLocal } from '../../src/local/bootstrap';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { REPO_DEFAULTS, RepoConfigSchema, type RepoConfig, type RepoStatus } from '../../src/repos/repo-config';
import { getTask, startTask, type TaskDeps, type TaskView } from '../../src/tasks/orchestrator';
import { taskDeps } from '../../src/wiring/tasks';
import { isTaskState, isTerminal } from '../../src/tasks/state-machine';

/** Agents in tests heartbeat every 100 ms and plan instantly unless a test says otherwise. */
export const TEST_AGENT_ENV = { GIT_COMMIT: 'abc1234', ABCA_HEARTBEAT_MS: '100', ABCA_AGENT_STEP_MS: '0' };

export interface TaskBed {
  clients: AwsClients;
  platform: PlatformConfig;
  deps: (overrides?: Partial<TaskDeps>) => TaskDeps;
  putRepo: (repo: string, status: RepoStatus, settings?: Partial<RepoConfig>) => Promise<RepoConfig>;
  taskCount: () => Promise<number>;
  /** InvokeAgentRuntime calls the data plane served so far. */
  invocations: () => number;
  /** Polls the row until `until` holds (default: a terminal state). */
  waitFor: (deps: TaskDeps, taskId: string, until?: (t: TaskView) => boolean, timeoutMs?: number) => Promise<TaskView>;
  /** startTask, then wait for the agent to finish the task. */
  runToEnd: (deps: TaskDeps, taskId: string) => Promise<TaskView>;
}

export async function taskBed(env: string, plane: () => AgentCoreDataPlane): Promise<TaskBed> {
  const clients = createClients();
  const { platform } = await bootstrapLocal({ env, clients });
  const waitFor: TaskBed['waitFor'] = async (deps, taskId, until = (t) => isTaskState(t.status) && isTerminal(t.status), timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await getTask(deps, taskId);
      if (until(task)) return task;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} (${task.progress ?? ''}) after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    clients,
    platform,
    deps: (overrides = {}) => ({ ...taskDeps(platform, clients), ...overrides }),
    putRepo: async (repo, status, settings = {}) => {
      const at = new Date().toISOString();
      const row = RepoConfigSchema.parse({ ...REPO_DEFAULTS, repo, status, onboarded_at: at, updated_at: at, source: 'api', version: 1, ...settings });
      await clients.doc.send(new PutCommand({ TableName: platform.tables.repos, Item: row }));
      return row;
    },
    taskCount: async () => (await clients.doc.send(new ScanCommand({ TableName: platform.tables.tasks, Select: 'COUNT' }))).Count ?? 0,
    invocations: () => plane().calls.filter((c) => c.operation === 'InvokeAgentRuntime').length,
    waitFor,
    runToEnd: async (deps, taskId) => {
      await startTask(deps, taskId);
      return waitFor(deps, taskId);
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected the promise to reject');
}
