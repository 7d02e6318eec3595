/**
 * The agent contract as the control plane speaks it: upstream ABCA's (docs/agent-contract.md). The
 * payload POST /invocations receives (`{"input": {...}}`), and what the agent's answer means for the
 * task, in either answer shape. Pure.
 */
import type { TaskRunConfig } from './config';
import type { TaskRecord } from './store';

/** What a task start adds to the task and its configuration. */
export interface InvocationContext {
  /** The submitting user: `input.user_id`, and InvokeAgentRuntime's runtimeUserId. */
  userId: string;
  /** When the platform moved the task to RUNNING (`input.task_started_at`). */
  startedAt?: string;
  /** The repository's GitHub token (`input.github_token`); never stored, never logged. */
  githubToken?: string;
}

/**
 * The submitting user as AgentCore's runtimeUserId and the contract's `user_id`: the principal
 * without its kind prefix (`user:<sub>` → `<sub>`, as upstream sends the Cognito sub).
 */
export function runtimeUserId(submittedBy: string): string {
  const at = submittedBy.indexOf(':');
  return at >= 0 && at < submittedBy.length - 1 ? submittedBy.slice(at + 1) : submittedBy;
}

/**
 * Pure: `{"input": {...}}` with every field the task and its configuration provide, in upstream's
 * names (agent/src/server.py `_extract_invocation_params`). `model_id` is always explicit: without
 * it upstream's agent falls back to a model the runtime role does not grant. `max_budget_usd` is
 * left out when there is no limit (upstream reads absence, and 0, as "none").
 */
export function invocationPayload(
  task: Pick<TaskRecord, 'task_id' | 'repo' | 'description'>,
  config: TaskRunConfig,
  ctx: InvocationContext,
): { input: Record<string, unknown> } {
  const input: Record<string, unknown> = {
    task_id: task.task_id,
    repo_url: task.repo,
    prompt: task.description,
    model_id: config.model_id,
    max_turns: config.max_turns,
    ...(config.max_budget_usd > 0 ? { max_budget_usd: config.max_budget_usd } : {}),
    ...(config.system_prompt_overrides ? { system_prompt_overrides: config.system_prompt_overrides } : {}),
    ...(config.build_command ? { build_command: config.build_command } : {}),
    ...(config.lint_command ? { lint_command: config.lint_command } : {}),
    cedar_policies: config.cedar_policies,
    approval_gate_cap: config.approval_gate_cap,
    user_id: ctx.userId,
    ...(ctx.startedAt ? { task_started_at: ctx.startedAt } : {}),
    // Extras an ABCA agent ignores (unknown input keys are dropped there): the double enforces them.
    egress_allowlist: config.egress_allowlist,
    ...(ctx.githubToken ? { github_token: ctx.githubToken } : {}),
  };
  return { input };
}

/** Our double's extra actions (smoke, probe), in the same envelope. */
export function actionPayload(action: 'ping' | 'version' | 'status', fields: Record<string, unknown> = {}): { input: Record<string, unknown> } {
  return { input: { action, ...fields } };
}

/** Pure: the answer's result: `output.result` (upstream's shape) when present, else the answer itself (flat). */
export function agentResult(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const output = (body as { output?: unknown }).output;
  const result = typeof output === 'object' && output !== null ? (output as { result?: unknown }).result : undefined;
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) return result as Record<string, unknown>;
  return body as Record<string, unknown>;
}

export type AgentVerdict = { ok: true; result: Record<string, unknown> } | { ok: false; reason: string; result?: Record<string, unknown> };

/** Pure: what the agent's answer means for the task. */
export function interpretAgentAnswer(body: unknown): AgentVerdict {
  const result = agentResult(body);
  if (!result) return { ok: false, reason: 'the agent answered something other than a JSON object' };
  if (result.status === 'completed') return { ok: true, result };
  if (result.status === 'failed') {
    const why = result.reason ?? result.error ?? result.error_message;
    const reason = typeof why === 'string' && why ? why : 'the agent reported failure without a reason';
    return { ok: false, reason: `agent: ${reason}`, result };
  }
  return { ok: false, reason: `the agent answered an unknown status "${String(result.status)}": ${JSON.stringify(body).slice(0, 200)}`, result };
}

export type StartVerdict = { kind: 'started' } | ({ kind: 'finished' } & AgentVerdict);

/** Pure: `accepted`/`running` (the asynchronous contract, either shape) or a finished answer (an older, synchronous image). */
export function interpretStartAnswer(body: unknown): StartVerdict {
  const status = agentResult(body)?.status;
  if (status === 'accepted' || status === 'running') return { kind: 'started' };
  return { kind: 'finished', ...interpretAgentAnswer(body) };
}
