/**
 * The top-level task-row attributes the agent writes (agent/src/task-row.ts AGENT_ATTRIBUTES, key
 * and condition included): the runtime role may UpdateItem exactly these (dynamodb:Attributes).
 * A copy, not an import: the stack (infra layer) must not depend on agent/ (runtime layer); a test
 * keeps the two lists equal, so changing what the agent writes means an infra deploy first.
 */
export const AGENT_TASK_ATTRIBUTES = [
  'task_id',
  'status',
  'runtime_session_id',
  'heartbeat_at',
  'progress',
  'updated_at',
  'finished_at',
  'expires_at',
  'result',
  'status_reason',
  'version',
] as const;
