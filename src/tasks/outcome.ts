/**
 * The task view's structured outcome, read from the attributes upstream's agent writes
 * (docs/agent-contract.md §6): numbers stored as strings become numbers, names of rows written
 * before the contract (heartbeat_at, finished_at) still read. Pure.
 */
import type { TaskRecord } from './store';

export interface TaskOutcomeView {
  pr_url?: string;
  cost_usd?: number;
  turns?: number;
  duration_s?: number;
  build_passed?: boolean;
  lint_passed?: boolean;
  error_message?: string;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Pure: the outcome fields present on the row, typed. */
export function taskOutcome(row: Partial<TaskRecord>): TaskOutcomeView {
  const out: TaskOutcomeView = {};
  if (typeof row.pr_url === 'string' && row.pr_url) out.pr_url = row.pr_url;
  for (const key of ['cost_usd', 'turns', 'duration_s'] as const) {
    const n = num(row[key]);
    if (n !== undefined) out[key] = n;
  }
  if (typeof row.build_passed === 'boolean') out.build_passed = row.build_passed;
  if (typeof row.lint_passed === 'boolean') out.lint_passed = row.lint_passed;
  if (typeof row.error_message === 'string' && row.error_message) out.error_message = row.error_message;
  return out;
}

/** Pure: the heartbeat, end and reason under the view's names, whichever name the row used. */
export function lifecycleFields(row: Partial<TaskRecord>): { heartbeat_at?: string; finished_at?: string; status_reason?: string } {
  const heartbeat = row.agent_heartbeat_at ?? row.heartbeat_at;
  const finished = row.completed_at ?? row.finished_at;
  const reason = row.status_reason ?? (row.error_message ? `agent: ${row.error_message}` : undefined);
  return { ...(heartbeat ? { heartbeat_at: heartbeat } : {}), ...(finished ? { finished_at: finished } : {}), ...(reason ? { status_reason: reason } : {}) };
}
