/**
 * The bake window: after `live` moved to a new version, tasks started on it are compared with
 * those started on the previous version (failure rate, lost heartbeats, dispatch errors). A
 * breach moves `live` back on the fast path (the previous version still exists: no
 * UpdateAgentRuntime). Too few tasks by the end of the window is "not enough traffic": neither
 * passed nor failed. The figures and the verdict are pure (versionFigures, judgeBake); the
 * watcher (watchBake) only gathers task rows and acts on the verdict.
 */
import type { BakePolicy } from '../platform/release-policy';
import { OperationFailedError } from '../errors';
import { LIVE_ENDPOINT } from '../platform/runtime-spec';
import { TaskStore, type TaskRecord } from '../tasks/store';
import { defaultSleep } from './agent-runtime';
import type { RuntimeContext } from './context';
import { endpointNames, getEndpoint } from './endpoints';
import { moveTo, type RuntimeOperationResult } from './move';
import type { ApplyOptions } from './options';

export type BakeTask = Pick<TaskRecord, 'task_id' | 'status' | 'status_reason' | 'runtime_version' | 'runtime_qualifier' | 'started_at' | 'submitted_by'>;

export interface VersionFigures {
  version?: string;
  /** Tasks started on the version in the compared period. */
  started: number;
  /** Of those, COMPLETED or FAILED (cancelled and running ones do not count towards the rate). */
  finished: number;
  failed: number;
  lost_heartbeats: number;
  dispatch_errors: number;
}

export type BakeVerdict =
  { kind: 'watching' } | { kind: 'passed' } | { kind: 'not_enough_traffic'; started: number; needed: number } | { kind: 'breach'; reasons: string[] };

/**
 * Pure: what a FAILED task's reason says about its version. The reasons are the reconciler's
 * (src/tasks/reconciler.ts: heartbeat and session lifetime) and startTask's (a session that could
 * not be started).
 */
export function failureKind(reason: string | undefined): 'lost_heartbeat' | 'dispatch_error' | 'other' {
  if (!reason) return 'other';
  if (reason.startsWith('no heartbeat from the agent') || reason.startsWith("the task ran longer than AgentCore's session lifetime")) return 'lost_heartbeat';
  if (reason.startsWith('the agent session could not be started')) return 'dispatch_error';
  return 'other';
}

/** Pure: the figures of the users' tasks started on `live` at `version` within [from, to). Release checks are not traffic. */
export function versionFigures(tasks: readonly BakeTask[], version: string | undefined, from: string, to?: string): VersionFigures {
  const figures: VersionFigures = { version, started: 0, finished: 0, failed: 0, lost_heartbeats: 0, dispatch_errors: 0 };
  if (!version) return figures;
  for (const t of tasks) {
    if (t.runtime_version !== version || t.runtime_qualifier !== LIVE_ENDPOINT || t.submitted_by.startsWith('release-check:')) continue;
    if (!t.started_at || t.started_at < from || (to !== undefined && t.started_at >= to)) continue;
    figures.started++;
    if (t.status === 'COMPLETED' || t.status === 'FAILED') figures.finished++;
    if (t.status !== 'FAILED') continue;
    figures.failed++;
    const kind = failureKind(t.status_reason);
    if (kind === 'lost_heartbeat') figures.lost_heartbeats++;
    if (kind === 'dispatch_error') figures.dispatch_errors++;
  }
  return figures;
}

const rate = (f: VersionFigures) => (f.finished ? f.failed / f.finished : 0);
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * Pure: breach as soon as one limit is passed (lost heartbeats and dispatch errors count from the
 * first task; the failure rate once `min_tasks` finished); at the end of the window, passed, or
 * not enough traffic when fewer than `min_tasks` started.
 */
export function judgeBake(input: { candidate: VersionFigures; previous: VersionFigures; policy: BakePolicy; windowOver: boolean }): BakeVerdict {
  const { candidate: c, previous: p, policy } = input;
  const reasons: string[] = [];
  if (c.lost_heartbeats > policy.max_lost_heartbeats) reasons.push(`${c.lost_heartbeats} task(s) lost their heartbeat (limit ${policy.max_lost_heartbeats})`);
  if (c.dispatch_errors > policy.max_dispatch_errors) reasons.push(`${c.dispatch_errors} task(s) could not be started (limit ${policy.max_dispatch_errors})`);
  if (c.finished >= policy.min_tasks && rate(c) - rate(p) > policy.max_failure_rate_increase) {
    reasons.push(
      `failure rate ${pct(rate(c))} (${c.failed}/${c.finished}) against ${pct(rate(p))} (${p.failed}/${p.finished}) on version ${p.version ?? '-'}: more than +${pct(policy.max_failure_rate_increase)}`,
    );
  }
  if (reasons.length) return { kind: 'breach', reasons };
  if (!input.windowOver) return { kind: 'watching' };
  if (c.started < policy.min_tasks) return { kind: 'not_enough_traffic', started: c.started, needed: policy.min_tasks };
  return { kind: 'passed' };
}

/** What is baked: the version `live` moved to, and what it replaced. */
export interface BakeTarget {
  version: string;
  digest: string;
  previousVersion?: string;
  previousDigest: string;
  /** When `live` moved (ISO 8601): the window starts here. */
  since: string;
}

export interface BakeOptions extends Pick<ApplyOptions, 'gitCommit' | 'ciRunUrl' | 'timeoutMs' | 'pollIntervalMs' | 'lockTtlMs'> {
  /** Overrides the policy's poll_seconds (tests and benches). */
  bakePollMs?: number;
  /** Overrides the policy's window (tests and benches). */
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BakeResult {
  env: string;
  verdict: BakeVerdict['kind'] | 'superseded';
  target: BakeTarget;
  candidate: VersionFigures;
  previous: VersionFigures;
  reasons?: string[];
  /** The fast-path rollback a breach ran. */
  rollback?: RuntimeOperationResult;
  /** When the breach was seen and when `live` served the previous version again (ms since epoch). */
  breachAt?: number;
  restoredAt?: number;
}

/** Every task row started since `from` (a bounded window: pages of the table's listing). */
async function tasksSince(store: TaskStore, from: string): Promise<BakeTask[]> {
  const all: BakeTask[] = [];
  let next_token: string | undefined;
  do {
    const page = await store.list({ limit: 100, ...(next_token ? { next_token } : {}) });
    all.push(...page.tasks.filter((t) => (t.started_at ?? '') >= from));
    next_token = page.next_token;
  } while (next_token);
  return all;
}

function tasksStore(ctx: RuntimeContext): TaskStore {
  const tasks = (ctx.platform as { tables: { tasks?: string } }).tables.tasks;
  if (!tasks) throw new OperationFailedError('the bake window needs the platform document (tasks table)', 'PLAN_INVALID');
  return new TaskStore(ctx.clients.doc, tasks);
}

/**
 * Watches `target` for the policy's window, polling the task rows; on a breach, rolls `live` back
 * to the previous digest (fast path), records why and throws BAKE_BREACH. Returns the verdict
 * otherwise (passed, not enough traffic, or superseded when `live` moved on meanwhile).
 */
export async function watchBake(ctx: RuntimeContext, target: BakeTarget, policy: BakePolicy, opts: BakeOptions = {}): Promise<BakeResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const store = tasksStore(ctx);
  const windowMs = opts.windowMs ?? policy.window_minutes * 60_000;
  const pollMs = opts.bakePollMs ?? policy.poll_seconds * 1000;
  const sinceMs = Date.parse(target.since);
  const before = new Date(sinceMs - windowMs).toISOString();
  ctx.log(`bake: version ${target.version} for ${Math.round(windowMs / 1000)} s from ${target.since}, against version ${target.previousVersion ?? '-'}`);
  for (;;) {
    const tasks = await tasksSince(store, before);
    const candidate = versionFigures(tasks, target.version, target.since);
    const previous = versionFigures(tasks, target.previousVersion, before, target.since);
    const verdict = judgeBake({ candidate, previous, policy, windowOver: now() >= sinceMs + windowMs });
    const base = { env: ctx.env, target, candidate, previous };
    if (verdict.kind === 'breach') {
      const breachAt = now();
      const reason = `automatic rollback: bake breach on version ${target.version}: ${verdict.reasons.join('; ')}`;
      ctx.log(`bake: BREACH: ${verdict.reasons.join('; ')}; live back to ${target.previousDigest.slice(0, 19)}…`);
      const rollback = await moveTo(ctx, 'rollback', target.previousDigest, { ...opts, reason }, { fast: true });
      const restoredAt = now();
      throw new OperationFailedError(`${reason}; live is back on version ${rollback.runtimeVersion ?? '-'} (${rollback.path} path)`, 'BAKE_BREACH', {
        ...base,
        verdict: 'breach',
        reasons: verdict.reasons,
        rollback: { to: rollback.to, runtimeVersion: rollback.runtimeVersion, path: rollback.path },
        breachAt,
        restoredAt,
      });
    }
    if (verdict.kind !== 'watching') {
      ctx.log(
        verdict.kind === 'passed'
          ? `bake: passed (${candidate.started} tasks, ${candidate.failed} failed)`
          : `bake: not enough traffic (${verdict.started} of ${verdict.needed} tasks): neither passed nor failed`,
      );
      return { ...base, verdict: verdict.kind };
    }
    // Someone moved live on (a newer publish or a rollback): this bake has nothing left to judge.
    const live = await getEndpoint(ctx, endpointNames(ctx).live);
    if (live.liveVersion !== target.version) {
      ctx.log(`bake: live now serves version ${live.liveVersion ?? '-'}, not ${target.version}: stopped`);
      return { ...base, verdict: 'superseded' };
    }
    const left = Math.max(0, sinceMs + windowMs - now());
    ctx.log(`bake: version ${target.version}: ${candidate.started} tasks, ${candidate.failed} failed; ${Math.ceil(left / 1000)} s left`, { transient: true });
    await sleep(Math.min(pollMs, Math.max(left, 1)));
  }
}
