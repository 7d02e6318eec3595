/**
 * The platform's own canary check, run by publish on `canary` before `live` moves (plan step
 * `canary_check`). A release of a coding agent is judged by what the agent does, so besides "an
 * invocation is accepted" and "the version serves the digest being published" it can run a golden
 * task: a small task against a fixture repository (the release policy names it), recorded like any
 * task (submitted by `release-check:<env>`), judged on outcome, turns, cost and duration.
 *
 * The verdicts are pure (judgeGoldenTask, digestCheck); runCanaryCheck only gathers what they read.
 */
import { describeError, OperationFailedError } from '../errors';
import { GuardrailsSource } from '../platform/guardrails';
import { platformNames } from '../platform/names';
import type { ReleaseLimits } from '../platform/release-policy';
import type { PlatformConfig } from '../platform/platform-config';
import { RepoStore } from '../repos/store';
import { liveDefaultModel } from '../tasks/config';
import { AgentCoreInvoker } from '../tasks/invoker';
import { cancelTask, getTask, startTask, submitTask, type TaskDeps, type TaskView } from '../tasks/orchestrator';
import { smokeCheck } from '../tasks/smoke';
import { platformState } from '../tasks/agent-states';
import { isTerminal } from '../tasks/state-machine';
import { TaskStore } from '../tasks/store';
import { defaultSleep } from './agent-runtime';
import type { RuntimeContext } from './context';
import { endpointNames, versionDigest } from './endpoints';
import type { CanaryCheckResult, CanaryReport, CanaryRunOptions, GoldenTaskFigures, GoldenTaskSpec } from './release-check';

export * from './release-check';

/** The submitter recorded on a golden task's row: marks it a release check, not a user's task. */
export const releaseCheckCaller = (env: string) => `release-check:${env}`;

/** Pure: does the version `canary` serves run the digest being published (control plane: version → container URI)? */
export function digestCheck(version: string, served: string | undefined, expected: string): CanaryCheckResult {
  if (served === expected) return { name: 'digest', ok: true, detail: `version ${version} serves ${expected}` };
  return { name: 'digest', ok: false, detail: `version ${version} serves ${served ?? 'no digest-pinned image'}, not ${expected}` };
}

/** Pure: which of the release policy's limits a finished (or given-up) golden task broke; empty = passed. */
export function judgeGoldenTask(task: GoldenTaskFigures, limits: ReleaseLimits): string[] {
  const failures: string[] = [];
  if (task.status !== limits.outcome) failures.push(`outcome ${task.status}${task.reason ? ` (${task.reason})` : ''}, needs ${limits.outcome}`);
  if (task.turns !== undefined && task.turns > limits.max_turns) failures.push(`${task.turns} turns, limit ${limits.max_turns}`);
  if (task.cost_usd !== undefined && task.cost_usd > limits.max_cost_usd) failures.push(`cost $${task.cost_usd}, limit $${limits.max_cost_usd}`);
  if (task.duration_seconds > limits.max_duration_seconds) failures.push(`${task.duration_seconds} s, limit ${limits.max_duration_seconds} s`);
  return failures;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Pure: the figures of a task row (upstream's result names: turns_used, cost_usd). */
export function goldenFigures(task: TaskView, now: Date): GoldenTaskFigures {
  const start = Date.parse(task.started_at ?? task.created_at);
  const end = task.finished_at ? Date.parse(task.finished_at) : now.getTime();
  const result = task.result ?? {};
  return {
    task_id: task.task_id,
    status: task.status,
    ...(task.status_reason ? { reason: task.status_reason } : {}),
    ...(num(result.turns_used) !== undefined ? { turns: num(result.turns_used) } : {}),
    ...(num(result.cost_usd) !== undefined ? { cost_usd: num(result.cost_usd) } : {}),
    duration_seconds: Math.max(0, Math.round((end - start) / 100) / 10),
  };
}

/** The task verbs aimed at `canary`: a golden task runs exactly as a user's would, on the candidate. */
function canaryTaskDeps(ctx: RuntimeContext, invoker: AgentCoreInvoker): TaskDeps {
  // The runtime's platform type lists only what the custom resource has; a publish opened from
  // the platform document (openRuntime) has the task tables too.
  const full = ctx.platform as { tables: Partial<PlatformConfig['tables']>; guardrailsParameter?: string };
  const tasks = full.tables?.tasks;
  const repos = full.tables?.repos;
  if (!tasks || !repos) throw new OperationFailedError('a golden task needs the platform document (tasks and repos tables)', 'CANARY_CHECK_FAILED');
  return {
    store: new TaskStore(ctx.clients.doc, tasks),
    repos: new RepoStore(ctx.clients.doc, repos),
    invoker,
    defaultModelId: liveDefaultModel(new GuardrailsSource(ctx.clients.ssm, full.guardrailsParameter ?? platformNames(ctx.env).parameters.guardrails)),
    log: (line) => ctx.log(`golden task: ${line}`),
  };
}

async function runGoldenTask(ctx: RuntimeContext, deps: TaskDeps, spec: GoldenTaskSpec, opts: CanaryRunOptions): Promise<GoldenTaskFigures> {
  const sleep = opts.sleep ?? defaultSleep;
  const { task } = await submitTask(deps, { caller: releaseCheckCaller(ctx.env), input: { repo: spec.repo, description: spec.description } });
  ctx.log(`golden task ${task.task_id} on ${spec.repo} (canary, version ${opts.version})`);
  let view = await startTask(deps, task.task_id);
  const started = Date.now();
  // Past the duration limit the check has failed: stop waiting, and stop the agent too.
  const giveUpMs = spec.limits.max_duration_seconds * 1000;
  // FINALIZING (the agent wrapping up) counts as running.
  while (!isTerminal(platformState(view.status))) {
    if (Date.now() - started > giveUpMs) {
      const figures = goldenFigures(view, new Date());
      await cancelTask(deps, task.task_id, { caller: releaseCheckCaller(ctx.env), reason: 'release check: over its duration limit' }).catch(() => undefined);
      return { ...figures, duration_seconds: Math.max(figures.duration_seconds, spec.limits.max_duration_seconds + 0.1) };
    }
    ctx.log(`golden task ${task.task_id} ${view.status}${view.progress ? `: ${view.progress}` : ''} (${Math.round((Date.now() - started) / 1000)} s)`, {
      transient: true,
    });
    await sleep(opts.pollIntervalMs);
    view = await getTask(deps, task.task_id);
  }
  return goldenFigures(view, new Date());
}

/** Runs the checks in order, stopping at the first that fails (a later one could only fail as well). */
export async function runCanaryCheck(ctx: RuntimeContext, opts: CanaryRunOptions): Promise<CanaryReport> {
  const report: CanaryReport = { ok: false, version: opts.version, digest: opts.digest, checks: [] };
  const qualifier = endpointNames(ctx).canary;

  const served = await versionDigest(ctx, opts.version);
  const digest = digestCheck(opts.version, served?.digest, opts.digest);
  report.checks.push(digest);
  if (!digest.ok) return report;

  // A new session starts a microVM: allow it longer than a task start (as scripts/smoke-runtime.ts).
  const invoker = new AgentCoreInvoker({ runtimeArn: ctx.platform.agentRuntimeArn, qualifier, timeoutMs: 60_000 });
  const smoke = await smokeCheck(invoker, { publishedDigest: opts.digest });
  const failed = smoke.checks.filter((c) => c.ok === false);
  report.checks.push({
    name: 'invocation',
    ok: smoke.ok,
    detail: smoke.ok ? `accepted through ${qualifier} (${smoke.checks.map((c) => c.name).join(', ')})` : failed.map((c) => `${c.name}: ${c.detail}`).join('; '),
  });
  if (!smoke.ok) return report;

  if (!opts.golden) {
    report.checks.push({ name: 'golden_task', ok: null, detail: 'skipped: the release policy names no golden task' });
  } else {
    let figures: GoldenTaskFigures;
    try {
      figures = await runGoldenTask(ctx, canaryTaskDeps(ctx, invoker), opts.golden, opts);
    } catch (e) {
      report.checks.push({ name: 'golden_task', ok: false, detail: `could not run: ${describeError(e)}` });
      return report;
    }
    const failures = judgeGoldenTask(figures, opts.golden.limits);
    report.golden = { ...figures, failures };
    report.checks.push({
      name: 'golden_task',
      ok: failures.length === 0,
      detail: `${figures.task_id} on ${opts.golden.repo}: ${failures.length ? failures.join('; ') : `${figures.status}, ${figures.turns ?? '?'} turns, ${figures.duration_seconds} s`}`,
    });
  }
  report.ok = report.checks.every((c) => c.ok !== false);
  return report;
}
