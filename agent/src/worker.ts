/**
 * AgentCore's asynchronous contract: /invocations accepts a task and answers at once; the work runs
 * here in the background while /ping says HealthyBusy. Progress and the outcome go to the task row
 * (task-row.ts). When a write finds the row no longer ours (cancelled, failed by the reconciler),
 * the work stops: nothing the agent does afterwards can change the task.
 *
 * Knobs (environment): ABCA_AGENT_STEP_MS, how long each plan step takes (default 0: the minimal
 * agent plans instantly; demos and tests set it to make a task run for a while);
 * ABCA_HEARTBEAT_MS, the heartbeat interval (default 30 000).
 */
import { runTask as planTask, type TaskRequest } from './plan';
import { ConditionFailed, type Outcome, type TaskRowWriter } from './task-row';

export const DEFAULT_HEARTBEAT_MS = 30_000;

export type RunState = 'running' | 'completed' | 'failed' | 'abandoned';

export interface RunStatus {
  task_id: string;
  session_id: string;
  state: RunState;
  progress: string;
  started_at: string;
  last_heartbeat_at: string | null;
}

export interface WorkerOptions {
  row?: TaskRowWriter;
  stepMs?: number;
  heartbeatMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  onBusyChange?: (busy: boolean) => void;
  /** Which build answered, recorded in the result. */
  agent?: Record<string, unknown>;
}

interface Run {
  status: RunStatus;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function workerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<WorkerOptions, 'stepMs' | 'heartbeatMs'> {
  const num = (v: string | undefined, fallback: number) =>
    v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : fallback;
  return { stepMs: num(env.ABCA_AGENT_STEP_MS, 0), heartbeatMs: Math.max(10, num(env.ABCA_HEARTBEAT_MS, DEFAULT_HEARTBEAT_MS)) };
}

export class TaskWorker {
  private readonly runs = new Map<string, Run>();
  private active = 0;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: WorkerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  get busy(): boolean {
    return this.active > 0;
  }

  status(taskId: string): RunStatus | undefined {
    const run = this.runs.get(taskId);
    return run ? { ...run.status } : undefined;
  }

  /** Resolves when the task's background work has ended (tests). */
  async settled(taskId: string): Promise<void> {
    await this.runs.get(taskId)?.done;
  }

  /** Starts the task unless this agent already has it; either way, what it knows of it. */
  start(task: TaskRequest, sessionId: string): { accepted: boolean; status: RunStatus } {
    const existing = this.runs.get(task.task_id);
    if (existing) return { accepted: false, status: { ...existing.status } };
    const at = new Date(this.now()).toISOString();
    const status: RunStatus = { task_id: task.task_id, session_id: sessionId, state: 'running', progress: 'accepted', started_at: at, last_heartbeat_at: null };
    this.active += 1;
    if (this.active === 1) this.opts.onBusyChange?.(true);
    const done = this.work(task, status).finally(() => {
      this.active -= 1;
      if (this.active === 0) this.opts.onBusyChange?.(false);
    });
    this.runs.set(task.task_id, { status, done });
    return { accepted: true, status: { ...status } };
  }

  private async work(task: TaskRequest, status: RunStatus): Promise<void> {
    const row = this.opts.row;
    const stepMs = this.opts.stepMs ?? 0;
    const heartbeatMs = this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    let lost = false;
    const beat = async () => {
      if (!row || lost) return;
      try {
        await row.heartbeat(task.task_id, status.session_id, status.progress);
        status.last_heartbeat_at = new Date(this.now()).toISOString();
      } catch (e) {
        if (e instanceof ConditionFailed) lost = true;
        else this.log(JSON.stringify({ msg: 'heartbeat failed', task_id: task.task_id, error: (e as Error).message }));
      }
    };
    const timer = setInterval(() => void beat(), heartbeatMs);
    try {
      await beat();
      const outcome = planTask(task);
      for (const step of outcome.plan) {
        if (lost) break;
        status.progress = `step ${step.step}/${outcome.plan.length}: ${step.kind}: ${step.detail}`;
        if (stepMs > 0) {
          await beat();
          await sleep(stepMs);
        }
      }
      if (lost) {
        status.state = 'abandoned';
        status.progress = 'stopped: the task is no longer running (cancelled or failed elsewhere)';
        this.log(JSON.stringify({ msg: 'task abandoned', task_id: task.task_id }));
        return;
      }
      const summary = {
        turns: outcome.status === 'completed' ? outcome.turns_used : 0,
        cost_usd: 0,
        duration_s: Math.round((this.now() - Date.parse(status.started_at)) / 100) / 10,
        ...(outcome.status === 'completed' ? { pr_url: outcome.pr_url } : {}),
        ...(task.config.build_command ? { build_passed: outcome.status === 'completed' } : {}),
        ...(task.config.lint_command ? { lint_passed: outcome.status === 'completed' } : {}),
      };
      const final: Outcome =
        outcome.status === 'completed'
          ? {
              status: 'COMPLETED',
              result: { ...outcome, session_id: status.session_id, agent: this.opts.agent, github_token: task.github_token_received ? 'received' : 'none' },
              summary,
            }
          : { status: 'FAILED', reason: `agent: ${outcome.reason}`, result: { ...outcome, session_id: status.session_id, agent: this.opts.agent }, summary };
      status.state = outcome.status;
      status.progress = outcome.status === 'completed' ? 'done' : `failed: ${outcome.reason}`;
      if (row) {
        try {
          await row.finish(task.task_id, status.session_id, final);
        } catch (e) {
          if (!(e instanceof ConditionFailed)) throw e;
          status.state = 'abandoned';
          this.log(JSON.stringify({ msg: 'outcome dropped: the task is no longer running', task_id: task.task_id }));
        }
      }
      this.log(JSON.stringify({ msg: 'task finished', task_id: task.task_id, state: status.state }));
    } catch (e) {
      status.state = 'failed';
      status.progress = 'failed: internal error';
      this.log(JSON.stringify({ msg: 'task failed', task_id: task.task_id, error: (e as Error).message }));
    } finally {
      clearInterval(timer);
    }
  }
}
