/**
 * Drain: after `live` moved, the outgoing version keeps serving the sessions started on it (a task
 * runs for hours). `publish --drain` waits, with a limit and progress, until none is left there, so
 * what comes next (a rollback, the version's deletion) stops no task.
 */
import { defaultSleep } from './agent-runtime';
import type { RuntimeContext } from './context';
import { runningTasks, sessionsOffLive } from './verbs/status';

export const DEFAULT_DRAIN_TIMEOUT_MS = 15 * 60 * 1000;

export interface DrainResult {
  version: string;
  drained: boolean;
  /** Tasks still running on the version when the wait ended. */
  remaining: string[];
  waitedMs: number;
}

export async function drainVersion(
  ctx: RuntimeContext,
  version: string,
  opts: { timeoutMs?: number; pollIntervalMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> },
): Promise<DrainResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const started = now();
  const limit = opts.timeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  for (;;) {
    // Every running task not on `version` is off it: only the ones on it are waited for.
    const on = sessionsOffLive(await runningTasks(ctx), undefined).filter((t) => t.version === version);
    const waitedMs = now() - started;
    if (!on.length) {
      ctx.log(`drain: no task left on version ${version}`);
      return { version, drained: true, remaining: [], waitedMs };
    }
    if (waitedMs >= limit) {
      ctx.log(`drain: ${on.length} task(s) still on version ${version} after ${Math.round(waitedMs / 1000)} s (limit): ${on.map((t) => t.task_id).join(', ')}`);
      return { version, drained: false, remaining: on.map((t) => t.task_id), waitedMs };
    }
    ctx.log(`drain: ${on.length} task(s) still on version ${version} (${Math.round(waitedMs / 1000)} s)`, { transient: true });
    await sleep(Math.min(opts.pollIntervalMs, limit - waitedMs));
  }
}
