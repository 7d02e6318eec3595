/**
 * The top-level task-row attributes the agent contract lets an agent write (docs/agent-contract.md
 * §6; agent/src/task-row.ts AGENT_ATTRIBUTES, key and condition included): upstream ABCA's names
 * and our agent's extensions. The agent's role may UpdateItem exactly these (dynamodb:Attributes).
 * A copy, not an import: the stack (infra layer) must not depend on agent/ (runtime layer); a test
 * keeps the two lists equal, so changing what the agent writes means an infra deploy first.
 */
export const AGENT_TASK_ATTRIBUTES = [
  // upstream (agent/src/task_state.py)
  'task_id',
  'status',
  'agent_heartbeat_at',
  'started_at',
  'completed_at',
  'status_created_at',
  'logs_url',
  'pr_url',
  'error_message',
  'cost_usd',
  'duration_s',
  'turns',
  'turns_attempted',
  'turns_completed',
  'prompt_version',
  'memory_written',
  'build_passed',
  'lint_passed',
  'code_changed',
  'head_sha',
  'answer_text',
  'otel_trace_id',
  'trace_s3_uri',
  'artifact_uri',
  // this agent's extensions
  'runtime_session_id',
  'progress',
  'updated_at',
  'expires_at',
  'result',
  'version',
] as const;
