/**
 * The reconciler Lambda, run every minute by an EventBridge Scheduler schedule (stacks/constructs/
 * tasks-reconciler.ts). One run reads the SUBMITTED and RUNNING tasks and acts on each (see
 * src/tasks/reconciler.ts); it is short (a query, a few conditional writes, a few short AgentCore calls).
 */
import { reconcileTasks, type ReconcileReport } from '../tasks/reconciler';
import { lambdaContext, onFirstUse } from '../wiring/lambda';
import { taskDeps } from '../wiring/tasks';

const ready = onFirstUse(async () => {
  const { platform, clients, log } = await lambdaContext('reconciler');
  return { tasks: taskDeps(platform, clients, { log: (line) => log.info(line) }), log };
});

export const handler = async (): Promise<ReconcileReport> => {
  const { tasks, log } = await ready();
  const budget = Number(process.env.RECONCILE_BUDGET_MS);
  const report = await reconcileTasks(tasks, Number.isFinite(budget) && budget > 0 ? { budgetMs: budget } : {});
  log.info('reconciled', { ...report });
  return report;
};
