/**
 * States upstream's agent may write that the platform never moves a task into
 * (docs/agent-contract.md §7), and what each means for the platform's own decisions. Pure.
 */
import type { TaskState } from './state-machine';

/**
 * FINALIZING: the agent is wrapping up (post-hooks, PR); the platform treats it as RUNNING.
 * AWAITING_APPROVAL: an approval gate; this platform has no approvals table, so it is refused.
 */
export const AGENT_ONLY_STATES = ['FINALIZING', 'AWAITING_APPROVAL'] as const;
export type AgentOnlyState = (typeof AGENT_ONLY_STATES)[number];
export type RowState = TaskState | AgentOnlyState;

export const APPROVAL_REFUSED =
  'approval gates (AWAITING_APPROVAL) are not supported by this platform: there is no approvals table, so the task cannot be resumed';

export function isAgentOnlyState(value: unknown): value is AgentOnlyState {
  return typeof value === 'string' && (AGENT_ONLY_STATES as readonly string[]).includes(value);
}

/** Pure: the platform state a row's status counts as for moves and the reconciler (FINALIZING is RUNNING). */
export function platformState(status: RowState): TaskState {
  return status === 'FINALIZING' || status === 'AWAITING_APPROVAL' ? 'RUNNING' : status;
}
