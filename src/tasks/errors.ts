/**
 * Task errors: each a named error from src/errors.ts with a stable `code`; the catalogue
 * (src/error-codes.ts) gives each code its HTTP status.
 */
import { ConflictError, NotFoundError, OperationFailedError, ValidationError } from '../errors';

/** The repository has no RepoConfig row, or its row is not `active` (provisioning, failed, removed). */
export class RepoNotOnboardedError extends ValidationError {
  constructor(repo: string, status: string | undefined) {
    super(
      status === undefined
        ? `repository ${repo} is not onboarded (onboard it first: bgagent repo onboard ${repo})`
        : `repository ${repo} is ${status}, not active: tasks can only run on active repositories`,
      'REPO_NOT_ONBOARDED',
      { repo, status: status ?? null },
    );
  }
}

export class TaskNotFoundError extends NotFoundError {
  constructor(taskId: string) {
    super(`task ${taskId} not found`, 'TASK_NOT_FOUND', { task_id: taskId });
  }
}

export class IllegalTransitionError extends ConflictError {
  constructor(taskId: string | undefined, from: string, to: string) {
    super(`task${taskId ? ` ${taskId}` : ''} cannot go from ${from} to ${to}`, 'ILLEGAL_TRANSITION', { ...(taskId ? { task_id: taskId } : {}), from, to });
  }
}

export class IdempotencyMismatchError extends ConflictError {
  constructor(taskId: string) {
    super('this idempotency key was already used for a different task (other repository or description); use a new key', 'IDEMPOTENCY_MISMATCH', {
      task_id: taskId,
    });
  }
}

/** The agent could not be reached, or answered with something other than a JSON result. */
export class AgentInvocationError extends OperationFailedError {
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, 'AGENT_INVOCATION_FAILED', details, options);
  }
}
