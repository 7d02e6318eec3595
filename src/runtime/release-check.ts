/**
 * The shapes of a release check (the plan's `canary_check` step and what it reports), apart from
 * the check itself (canary-check.ts): the plan and the applier need only these, so what the
 * image-pointer custom resource bundles (reapply → move → apply) stays free of the task domain.
 * The verb that runs a check hands the applier its runner.
 */
import { OperationFailedError } from '../errors';
import type { ReleaseLimits } from '../platform/release-policy';
import type { RuntimeContext } from './context';

/** What the plan's `canary_check` step carries: everything it runs is printed with the plan. */
export interface GoldenTaskSpec {
  repo: string;
  description: string;
  limits: ReleaseLimits;
}

export interface CanaryCheckResult {
  name: 'invocation' | 'digest' | 'golden_task';
  /** null: skipped. */
  ok: boolean | null;
  detail: string;
}

export interface GoldenTaskFigures {
  task_id: string;
  status: string;
  reason?: string;
  turns?: number;
  cost_usd?: number;
  duration_seconds: number;
}

export interface CanaryReport {
  ok: boolean;
  version: string;
  digest: string;
  checks: CanaryCheckResult[];
  golden?: GoldenTaskFigures & { failures: string[] };
}

export interface CanaryRunOptions {
  version: string;
  digest: string;
  golden?: GoldenTaskSpec;
  pollIntervalMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs the canary check (canary-check.ts runCanaryCheck), given to the applier by the verb. */
export type CanaryRunner = (ctx: RuntimeContext, opts: CanaryRunOptions) => Promise<CanaryReport>;

export function canaryFailure(report: CanaryReport): OperationFailedError {
  const failed = report.checks.filter((c) => c.ok === false);
  return new OperationFailedError(
    `canary check of version ${report.version} failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    'CANARY_CHECK_FAILED',
    { checks: report.checks, ...(report.golden ? { golden: report.golden } : {}) },
  );
}
