/**
 * The reconciler Lambda, run every minute by an EventBridge Scheduler schedule (stacks/constructs/
 * tasks-reconciler.ts). One run reads the SUBMITTED and RUNNING tasks and acts on each (see
 * reconciler.ts); it is short (a query, a few conditional writes, a few short AgentCore calls).
 */
import { createClients } from '../aws/clients';
import { apiLogger } from '../api/logging';
import { GuardrailsSource } from '../platform/guardrails';
import { resolveEnv } from '../platform/names';
import { loadPlatformConfig } from '../platform/platform-config';
import { taskDepsFromPlatform, type TaskDeps } from './orchestrator';
import { reconcileTasks, type ReconcileReport } from './reconciler';

let ready: Promise<TaskDeps> | undefined;

async function setUp(): Promise<TaskDeps> {
  const clients = createClients();
  const log = apiLogger();
  const platform = await loadPlatformConfig(clients.ssm, resolveEnv());
  // A re-started task gets the same default model as one the API starts: the live guardrails' first.
  const guardrails = new GuardrailsSource(clients.ssm, platform.guardrailsParameter, 30_000);
  return taskDepsFromPlatform(platform, clients, { defaultModelId: async () => (await guardrails.get()).allowed_models[0]!, log: (line) => log.info(line) });
}

export const handler = async (): Promise<ReconcileReport> => {
  ready ??= setUp().catch((e) => {
    ready = undefined;
    throw e;
  });
  const budget = Number(process.env.RECONCILE_BUDGET_MS);
  const report = await reconcileTasks(await ready, Number.isFinite(budget) && budget > 0 ? { budgetMs: budget } : {});
  apiLogger().info('reconciled', { ...report });
  return report;
};
