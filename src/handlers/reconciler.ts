/**
 * The reconciler Lambda, run every minute by an EventBridge Scheduler schedule (stacks/constructs/
 * tasks-reconciler.ts). One run reads the SUBMITTED and RUNNING tasks and acts on each (see
 * src/tasks/reconciler.ts); it is short (a query, a few conditional writes, a few short AgentCore calls).
 */
import { isRunTaskEvent, type RunTaskEvent } from '../tasks/dispatch';
import { startTask, type TaskView } from '../tasks/orchestrator';
import { reconcileTasks, type ReconcileReport } from '../tasks/reconciler';
import { lambdaContext, onFirstUse } from '../wiring/lambda';
import { taskDeps } from '../wiring/tasks';

const ready = onFirstUse(async () => {
  const { platform, clients, log } = await lambdaContext('reconciler');
  return { tasks: taskDeps(platform, clients, { log: (line) => log.info(line) }), log };
});

/**
 * The schedule's run, or `{"abcaRunTask": id}` from the API: this function starts tasks, because it
 * may read their repositories' GitHub tokens and the API may not (docs/infra.md, GitHub tokens).
 */
export async function handler(): Promise<ReconcileReport>;
export async function handler(event: RunTaskEvent): Promise<TaskView>;
export async function handler(event?: unknown): Promise<ReconcileReport | TaskView> {
  const { tasks, log } = await ready();
  if (isRunTaskEvent(event)) return startTask(tasks, event.abcaRunTask);
  const budget = Number(process.env.RECONCILE_BUDGET_MS);
  const report = await reconcileTasks(tasks, Number.isFinite(budget) && budget > 0 ? { budgetMs: budget } : {});
  log.info('reconciled', { ...report });
  return report;
}
