/**
 * RepoConfig rows as upstream ABCA's Blueprint construct writes them (cdk/src/constructs/blueprint.ts:
 * a PutItem by a custom resource): the key in the case the Blueprint gave, no `source` or
 * `version`, `ttl` (not `expires_at`) on removal, `compute_type` values this platform does not run,
 * and fields it does not know (mcp_servers, cedar_policy_modules, skills). They are IaC rows:
 * read and served as they are, read-only through the API.
 */
import type { RepoConfig } from './repo-config';

/** Upstream's defaults where a Blueprint leaves a field out (its RepoConfig reader and agent). */
export const UPSTREAM_DEFAULTS = {
  /** Upstream's agent default; ours is 25 for rows the API onboards. */
  approval_gate_cap: 50,
  // max_budget_usd absent: no budget limit (upstream's meaning), so it stays absent.
} as const;

/** Compute types this platform runs tasks on. Upstream also has `ecs` and `lambda-microvm`. */
export const RUNNABLE_COMPUTE_TYPES: readonly string[] = ['agentcore'];

/** Pure: a stored item as the platform reads it. Rows with a `source` are ours and pass unchanged. */
export function fromStored(item: Record<string, unknown>): RepoConfig {
  if (item.source !== undefined) return item as unknown as RepoConfig;
  return {
    ...item,
    source: 'iac',
    version: typeof item.version === 'number' ? item.version : 1,
    approval_gate_cap: item.approval_gate_cap ?? UPSTREAM_DEFAULTS.approval_gate_cap,
  } as unknown as RepoConfig;
}

/**
 * Pure: why a task may not run for this repository's compute type, or undefined when it may. The
 * row keeps its value (IaC owns it); only tasks are refused.
 */
export function computeTypeRefusal(row: Pick<RepoConfig, 'repo'> & { compute_type?: unknown }): string | undefined {
  const type = row.compute_type;
  if (type === undefined || RUNNABLE_COMPUTE_TYPES.includes(String(type))) return undefined;
  return `repository ${row.repo} is configured for compute_type "${String(type)}", which this platform does not run (it runs ${RUNNABLE_COMPUTE_TYPES.join(', ')}); change compute_type in its Blueprint to run tasks here`;
}
