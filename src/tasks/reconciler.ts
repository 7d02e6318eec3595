/**
 * The reconciler: run on a schedule (a small Lambda every minute in AWS, a loop in the local control
 * plane). It notices what nothing else would:
 *   - a RUNNING task whose heartbeat is older than the threshold → FAILED, with the reason;
 *   - a RUNNING task whose heartbeat is late, and whose session AgentCore no longer has (the agent
 *     in that session does not know the task) → FAILED without waiting for the threshold;
 *   - a RUNNING task past AgentCore's 8-hour session lifetime → FAILED;
 *   - a SUBMITTED task whose dispatch was lost (still SUBMITTED after a grace period) → started again.
 * Every write is conditional (the row's version for failures, the status for starts), so two runs at
 * once, or a run racing a heartbeat, a cancel or the agent's own outcome, change nothing twice.
 */
import { describeError } from '../errors';
import { RUNTIME_LIFECYCLE } from '../platform/runtime-spec';
import { APPROVAL_REFUSED, type RowState } from './agent-states';
import { actionPayload, agentResult } from './contract';
import { startTask, stopSession, type TaskDeps } from './orchestrator';
import type { TaskRecord } from './store';

/**
 * The agent heartbeats `agent_heartbeat_at` every 30 s (our agent) or 45 s (upstream's): 180 s is
 * 4-6 missed beats.
 */
export const HEARTBEAT_THRESHOLD_MS = 180_000;
/** A late heartbeat (3 missed beats): ask the session whether it still has the task. */
export const PROBE_AFTER_MS = 90_000;
/** A task still SUBMITTED this long after creation lost its dispatch. */
export const REDISPATCH_AFTER_MS = 60_000;
/** How often the schedule runs the reconciler. */
export const RECONCILE_INTERVAL_MS = 60_000;
/**
 * A run stops taking on tasks after this long (the rest wait for the next run), so one run plus
 * the AgentCore call in flight always ends inside the Lambda's timeout.
 */
export const RECONCILE_BUDGET_MS = 60_000;

export interface ReconcilerSettings {
  heartbeatThresholdMs: number;
  probeAfterMs: number;
  redispatchAfterMs: number;
  /** AgentCore's maximum session lifetime. */
  maxLifetimeMs: number;
}

export const DEFAULT_RECONCILER_SETTINGS: ReconcilerSettings = {
  heartbeatThresholdMs: HEARTBEAT_THRESHOLD_MS,
  probeAfterMs: PROBE_AFTER_MS,
  redispatchAfterMs: REDISPATCH_AFTER_MS,
  maxLifetimeMs: RUNTIME_LIFECYCLE.maxLifetime * 1000,
};

export type Decision = { action: 'none' } | { action: 'fail'; reason: string } | { action: 'probe' } | { action: 'redispatch' };

const secondsAgo = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Pure: what the reconciler does with one task at `now`. */
export function decide(
  task: Pick<TaskRecord, 'status' | 'created_at' | 'started_at' | 'agent_heartbeat_at' | 'heartbeat_at' | 'updated_at'>,
  now: number,
  s: ReconcilerSettings = DEFAULT_RECONCILER_SETTINGS,
): Decision {
  if (task.status === 'SUBMITTED') {
    return now - Date.parse(task.created_at) >= s.redispatchAfterMs ? { action: 'redispatch' } : { action: 'none' };
  }
  // Upstream's agent may write it; nothing here can resume it (docs/agent-contract.md §7).
  if (task.status === 'AWAITING_APPROVAL') return { action: 'fail', reason: APPROVAL_REFUSED };
  // FINALIZING is the agent still at work: the same rules as RUNNING.
  if (task.status !== 'RUNNING' && task.status !== 'FINALIZING') return { action: 'none' };
  const started = Date.parse(task.started_at ?? task.updated_at);
  if (now - started >= s.maxLifetimeMs) {
    return { action: 'fail', reason: `the task ran longer than AgentCore's session lifetime (${secondsAgo(s.maxLifetimeMs)}); its session has ended` };
  }
  // upstream's name; heartbeat_at in rows written before the contract.
  const last = Date.parse(task.agent_heartbeat_at ?? task.heartbeat_at ?? task.started_at ?? task.updated_at);
  const silent = now - last;
  if (silent >= s.heartbeatThresholdMs) {
    return {
      action: 'fail',
      reason: `no heartbeat from the agent for ${secondsAgo(silent)} (threshold ${secondsAgo(s.heartbeatThresholdMs)}): the agent stopped or its session ended`,
    };
  }
  return silent >= s.probeAfterMs ? { action: 'probe' } : { action: 'none' };
}

export interface ReconcileReport {
  checked: number;
  failed: { task_id: string; reason: string }[];
  redispatched: string[];
  probed: string[];
  /** Tasks whose row changed while we looked (someone else acted first). */
  skipped: string[];
  errors: { task_id: string; error: string }[];
  /** Left for the next run (the budget ran out). */
  deferred: number;
}

export interface ReconcileOptions {
  settings?: Partial<ReconcilerSettings>;
  now?: () => number;
  /** Stop taking on tasks after this many ms (default RECONCILE_BUDGET_MS). */
  budgetMs?: number;
}

/**
 * What the agent in the task's session knows of it; `gone` when the session no longer has it. The
 * `status` action is our agent's extra: an ABCA agent refuses it (400), which reads as `unknown`,
 * and the heartbeat threshold decides.
 */
async function probe(deps: TaskDeps, task: TaskRecord): Promise<'alive' | 'gone' | 'unknown'> {
  try {
    const answer = agentResult(
      await deps.invoker.invoke({
        sessionId: task.runtime_session_id!,
        payload: actionPayload('status', { task_id: task.task_id }),
        runtimeArn: task.runtime_arn,
      }),
    ) as { known?: unknown; state?: unknown } | undefined;
    if (answer?.known === false) return 'gone';
    return answer?.known === true && answer.state === 'running' ? 'alive' : answer?.known === true ? 'gone' : 'unknown';
  } catch (e) {
    deps.log?.(`reconciler: probing ${task.task_id} failed: ${describeError(e)}`);
    return 'unknown';
  }
}

export async function reconcileTasks(deps: TaskDeps, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const settings = { ...DEFAULT_RECONCILER_SETTINGS, ...(opts.settings ?? {}) };
  const now = opts.now ?? Date.now;
  const report: ReconcileReport = { checked: 0, failed: [], redispatched: [], probed: [], skipped: [], errors: [], deferred: 0 };
  const states: RowState[] = ['RUNNING', 'FINALIZING', 'AWAITING_APPROVAL', 'SUBMITTED'];
  const tasks = (await Promise.all(states.map((state) => deps.store.inState(state)))).flat();
  const fail = async (task: TaskRecord, reason: string) => {
    const failed = await deps.store.failIfUnchanged(task, reason, () => new Date(now()));
    if (!failed) return void report.skipped.push(task.task_id);
    report.failed.push({ task_id: task.task_id, reason });
    deps.log?.(`reconciler: task ${task.task_id} FAILED: ${reason}`);
    // If anything still runs in that session, end it: the task is over.
    if (task.runtime_session_id) await stopSession(deps, failed);
  };
  const started = Date.now();
  const budget = opts.budgetMs ?? RECONCILE_BUDGET_MS;
  for (const task of tasks) {
    if (Date.now() - started >= budget) {
      report.deferred += 1;
      continue;
    }
    report.checked += 1;
    try {
      const decision = decide(task, now(), settings);
      if (decision.action === 'fail') await fail(task, decision.reason);
      else if (decision.action === 'redispatch') {
        const started = await startTask(deps, task.task_id);
        report.redispatched.push(task.task_id);
        deps.log?.(`reconciler: task ${task.task_id} was still SUBMITTED (dispatch lost): started, now ${started.status}`);
      } else if (decision.action === 'probe' && task.runtime_session_id) {
        report.probed.push(task.task_id);
        if ((await probe(deps, task)) === 'gone')
          await fail(task, 'AgentCore no longer has the task in its session (the session ended or the agent restarted)');
      }
    } catch (e) {
      report.errors.push({ task_id: task.task_id, error: describeError(e) });
    }
  }
  return report;
}

/** The local control plane's schedule: reconcile every `intervalMs` until stopped (one run at a time). */
export function startReconcilerLoop(
  deps: TaskDeps,
  opts: ReconcileOptions & { intervalMs?: number; onReport?: (r: ReconcileReport) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = reconcileTasks(deps, opts)
      .then((r) => opts.onReport?.(r))
      .catch((e) => deps.log?.(`reconciler run failed: ${describeError(e)}`))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, opts.intervalMs ?? RECONCILE_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
