/**
 * Task states and the only moves between them. Pure: the store applies a move as a conditional
 * write on the current status, so two actors cannot both make one. The graph has no cycles, so each
 * state is entered at most once and "status is still X" is as good as a version check.
 *
 *   SUBMITTED ─► RUNNING ─► COMPLETED
 *       │           ├─────► FAILED
 *       ├───────────┴─────► CANCELLED
 *       └─────────────────► FAILED
 */
import { IllegalTransitionError } from './errors';

export const TASK_STATES = ['SUBMITTED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  SUBMITTED: ['RUNNING', 'CANCELLED', 'FAILED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value);
}

export function isTerminal(state: TaskState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws ILLEGAL_TRANSITION (a ConflictError) unless `from → to` is one of the moves above. */
export function assertTransition(from: TaskState, to: TaskState, taskId?: string): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(taskId, from, to);
}

/** The task in its new state; the input is not changed. */
export function transition<T extends { status: TaskState; task_id?: string }>(task: T, to: TaskState): T {
  assertTransition(task.status, to, task.task_id);
  return { ...task, status: to };
}
