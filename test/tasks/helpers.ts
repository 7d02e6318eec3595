/** Shared setup for task tests: a bootstrapped platform in moto, RepoConfig rows, a real agent. */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { REPO_DEFAULTS, RepoConfigSchema, type RepoConfig, type RepoStatus } from '../../src/repos/repo-config';
import { HttpAgentInvoker, type AgentInvoker } from '../../src/tasks/invoker';
import { taskDepsFromPlatform, type TaskDeps } from '../../src/tasks/orchestrator';
import { startAgentServer, type RunningAgent } from '../../agent/src/server';

export interface TaskBed {
  clients: AwsClients;
  platform: PlatformConfig;
  agent: RunningAgent;
  /** Requests the agent served, by path. */
  agentRequests: string[];
  deps: (overrides?: Partial<TaskDeps>) => TaskDeps;
  putRepo: (repo: string, status: RepoStatus, settings?: Partial<RepoConfig>) => Promise<RepoConfig>;
  taskCount: () => Promise<number>;
}

export async function taskBed(env: string): Promise<TaskBed> {
  const clients = createClients();
  const { platform } = await bootstrapLocal({ env, clients });
  const agentRequests: string[] = [];
  const agent = await startAgentServer({
    port: 0,
    buildInfo: { version: '0.0.0-test', commit: 'abc1234', digest: null },
    log: (line) => agentRequests.push((JSON.parse(line) as { path: string }).path),
  });
  const invoker: AgentInvoker = new HttpAgentInvoker(agent.url);
  return {
    clients,
    platform,
    agent,
    agentRequests,
    deps: (overrides = {}) => ({ ...taskDepsFromPlatform(platform, clients, { invoker }), ...overrides }),
    putRepo: async (repo, status, settings = {}) => {
      const at = new Date().toISOString();
      const row = RepoConfigSchema.parse({ ...REPO_DEFAULTS, repo, status, onboarded_at: at, updated_at: at, source: 'api', version: 1, ...settings });
      await clients.doc.send(new PutCommand({ TableName: platform.tables.repos, Item: row }));
      return row;
    },
    taskCount: async () => (await clients.doc.send(new ScanCommand({ TableName: platform.tables.tasks, Select: 'COUNT' }))).Count ?? 0,
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
