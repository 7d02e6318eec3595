/**
 * `/abca/<env>/release-policy`: how a release of the agent image protects itself (docs/deployment.md,
 * "Releases that protect themselves"): the platform's canary check, an optional golden task and the
 * limits it is judged on, the bake window after `live` moves, the manual gate's default and where
 * releases are announced. Like the guardrails, cdktf (and the local bootstrap) write the default
 * once and ignore later changes to the value: operators edit it without a deploy. The schema is
 * declared once, here; every reader validates, and a bad value is refused with the field named.
 */
import { z } from 'zod';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isAwsError } from '../aws/errors';
import { NotFoundError, ValidationError } from '../errors';
import { platformNames } from './names';

const positiveInt = z.number().int().positive();

/** A small task against a fixture repository, run on `canary` before `live` moves. */
export const GoldenTaskSchema = z
  .object({
    /** `owner/name` of an onboarded (active) repository kept for release checks. */
    repo: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, 'must be "owner/name"'),
    description: z.string().min(1).max(4000),
  })
  .strict();

/** What a golden task must stay within to pass. */
export const ReleaseLimitsSchema = z
  .object({
    /** The task's end state the release needs (the agent's own limits can fail a task: that is a failed check). */
    outcome: z.enum(['COMPLETED']).default('COMPLETED'),
    max_turns: positiveInt.max(10_000).default(50),
    max_cost_usd: z.number().positive().max(1_000).default(5),
    max_duration_seconds: positiveInt.max(8 * 3600).default(900),
  })
  .strict();

/** The bake window after `live` moved: tasks on the new version compared with the previous one's. */
export const BakeSchema = z
  .object({
    /** 0: no bake (publish ends when `live` moved). */
    window_minutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .default(30),
    poll_seconds: positiveInt.max(3600).default(30),
    /** Fewer tasks than this on the new version: "not enough traffic", neither passed nor failed. */
    min_tasks: positiveInt.max(100_000).default(5),
    /** Breach when the new version's failure rate exceeds the previous one's by more than this (0..1). */
    max_failure_rate_increase: z.number().min(0).max(1).default(0.2),
    /** Breach when more tasks than this lost their heartbeat on the new version. */
    max_lost_heartbeats: z.number().int().min(0).default(0),
    /** Breach when more tasks than this could not be started (dispatch errors) on the new version. */
    max_dispatch_errors: z.number().int().min(0).default(0),
  })
  .strict();

export const GateSchema = z
  .object({
    /** Stop after a passed canary check until `bgagent runtime approve|abort` (as `--hold-before-live`). */
    hold_before_live: z.boolean().default(false),
    /** A hold nobody answers is aborted after this long. */
    hold_timeout_minutes: positiveInt.max(7 * 24 * 60).default(24 * 60),
  })
  .strict();

export const NotificationsSchema = z
  .object({
    /** A Secrets Manager secret (under the platform's prefix) whose value is a Slack-compatible webhook URL. */
    webhook_secret_arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN')
      .optional(),
    /** A GitHub Deployment with statuses, when run in GitHub Actions with a token. */
    github_deployments: z.boolean().default(true),
  })
  .strict();

export const ReleasePolicySchema = z
  .object({
    /** The platform's own canary check: invocation accepted, the version serves the digest published. */
    canary_check: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .prefault({}),
    /** Absent: no golden task. */
    golden_task: GoldenTaskSchema.optional(),
    limits: ReleaseLimitsSchema.prefault({}),
    bake: BakeSchema.prefault({}),
    gate: GateSchema.prefault({}),
    notifications: NotificationsSchema.prefault({}),
  })
  .strict();
export type ReleasePolicy = z.infer<typeof ReleasePolicySchema>;
export type ReleaseLimits = z.infer<typeof ReleaseLimitsSchema>;
export type BakePolicy = z.infer<typeof BakeSchema>;

export function releasePolicyParameter(env: string): string {
  return platformNames(env).parameters.releasePolicy;
}

/** The stack's (and bootstrap's) first value: canary check on, no golden task, a 30-minute bake, no hold. */
export function defaultReleasePolicy(): ReleasePolicy {
  return ReleasePolicySchema.parse({});
}

/** Validates a document; a bad one is refused with the field named (RELEASE_POLICY_INVALID). */
export function parseReleasePolicy(raw: string, source: string): ReleasePolicy {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationError(`${source} is not valid JSON`, 'RELEASE_POLICY_INVALID');
  }
  const parsed = ReleasePolicySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(document)';
    throw new ValidationError(`${source}: bad "${field}": ${issue?.message}`, 'RELEASE_POLICY_INVALID', { field });
  }
  return parsed.data;
}

export async function readReleasePolicy(ssm: SSMClient, env: string): Promise<ReleasePolicy> {
  const name = releasePolicyParameter(env);
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return parseReleasePolicy(out.Parameter?.Value ?? '', name);
  } catch (e) {
    if (isAwsError(e, 'ParameterNotFound')) {
      throw new NotFoundError(
        `environment "${env}" has no release policy ${name} (deploy infra, or run scripts/bootstrap-local.ts, to write the default)`,
        'NO_RELEASE_POLICY',
      );
    }
    throw e;
  }
}
