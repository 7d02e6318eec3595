/**
 * The configuration a task runs with: platform defaults, then the RepoConfig's own settings, and
 * the one rule for the default model.
 */
import { DEFAULT_GUARDRAILS, type Guardrails } from '../platform/guardrails';
import { REPO_DEFAULTS } from '../repos/fields';
import type { RepoConfig } from '../repos/repo-config';

/** The invocation config the agent receives: platform defaults, then the RepoConfig's own settings. */
export interface TaskRunConfig {
  model_id: string;
  max_turns: number;
  max_budget_usd: number;
  poll_interval_ms: number;
  approval_gate_cap: number;
  egress_allowlist: string[];
  cedar_policies: string[];
  system_prompt_overrides?: string;
  build_command?: string;
  lint_command?: string;
  github_token_secret_arn?: string;
}

export function platformTaskDefaults(defaultModelId?: string): TaskRunConfig {
  const { compute_type: _compute, ...defaults } = REPO_DEFAULTS;
  return { ...defaults, model_id: defaultModelId ?? DEFAULT_GUARDRAILS.allowed_models[0]! };
}

/**
 * The model of a repository that names none, for every component that starts tasks (API, reconciler,
 * local control plane): the first model the live guardrails allow.
 */
export function liveDefaultModel(guardrails: { get(): Promise<Guardrails> }): () => Promise<string> {
  return async () => (await guardrails.get()).allowed_models[0]!;
}

/** Pure: RepoConfig fields that are set win over the defaults; runtime_arn and compute_type pick the runtime, not the agent's behaviour. */
export function mergeTaskConfig(repo: RepoConfig, defaultModelId?: string): TaskRunConfig {
  const merged: TaskRunConfig = platformTaskDefaults(defaultModelId);
  const keys = [
    'model_id',
    'max_turns',
    'max_budget_usd',
    'poll_interval_ms',
    'approval_gate_cap',
    'egress_allowlist',
    'cedar_policies',
    'system_prompt_overrides',
    'build_command',
    'lint_command',
    'github_token_secret_arn',
  ] as const;
  for (const key of keys) {
    const value = repo[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}
