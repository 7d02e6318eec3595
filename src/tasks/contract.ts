/**
 * The agent contract as the control plane speaks it (docs/agent-contract.md): the payload POST
 * /invocations receives, and what the agent's answer means for the task. Pure.
 */
import type { TaskRunConfig } from './config';
import type { TaskRecord } from './store';

/** The payload POST /invocations receives (agent/src/invocation.ts parses it). */
export function invocationPayload(task: Pick<TaskRecord, 'task_id' | 'repo' | 'description'>, config: TaskRunConfig): Record<string, unknown> {
  return { action: 'run_task', task_id: task.task_id, repo: task.repo, description: task.description, config };
}

export type AgentVerdict = { ok: true; result: Record<string, unknown> } | { ok: false; reason: string; result?: Record<string, unknown> };

/** Pure: what the agent's answer means for the task. */
export function interpretAgentAnswer(body: unknown): AgentVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'the agent answered something other than a JSON object' };
  const result = body as Record<string, unknown>;
  if (result.status === 'completed') return { ok: true, result };
  if (result.status === 'failed') {
    const reason = typeof result.reason === 'string' && result.reason ? result.reason : 'the agent reported failure without a reason';
    return { ok: false, reason: `agent: ${reason}`, result };
  }
  return { ok: false, reason: `the agent answered an unknown status "${String(result.status)}"`, result };
}

export type StartVerdict = { kind: 'started' } | ({ kind: 'finished' } & AgentVerdict);

/** Pure: `accepted`/`running` (the asynchronous contract) or a finished answer (an older, synchronous image). */
export function interpretStartAnswer(body: unknown): StartVerdict {
  const status = (body as { status?: unknown } | null)?.status;
  if (status === 'accepted' || status === 'running') return { kind: 'started' };
  return { kind: 'finished', ...interpretAgentAnswer(body) };
}
