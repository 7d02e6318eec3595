/**
 * Which RepoConfig fields are whose: what a caller sets, what may be cleared, what is bookkeeping.
 * No schema here (and so no Cedar engine): the CLI's diff and revert import it.
 */

/** Optional settings a PATCH may clear by sending `null` (JSON merge patch, RFC 7396). */
export const CLEARABLE_FIELDS = ['runtime_arn', 'model_id', 'system_prompt_overrides', 'github_token_secret_arn', 'build_command', 'lint_command'] as const;

/** Fields a caller does not set: everything else is a setting. */
export const BOOKKEEPING: ReadonlySet<string> = new Set(['repo', 'status', 'status_reason', 'onboarded_at', 'updated_at', 'source', 'version', 'expires_at']);

/** The caller-set part of a row, for audit diffs. */
export function settingsOf(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !BOOKKEEPING.has(k)));
}

export const REPO_STATUSES = ['provisioning', 'active', 'failed', 'removed'] as const;
export type RepoStatus = (typeof REPO_STATUSES)[number];

/** Defaults applied at onboarding where the input leaves a field out. */
export const REPO_DEFAULTS = {
  compute_type: 'agentcore' as const,
  max_turns: 100,
  max_budget_usd: 10,
  poll_interval_ms: 30_000,
  approval_gate_cap: 25,
  egress_allowlist: [] as string[],
  cedar_policies: [] as string[],
};
