/**
 * What the agent writes to its task row, in upstream ABCA's attribute names (docs/agent-contract.md
 * §6): `agent_heartbeat_at` while it works, and its outcome (`completed_at`, `pr_url`,
 * `error_message`, `cost_usd`, `turns`, `duration_s` as strings, `build_passed`/`lint_passed`).
 * Every write is conditional on the row still being RUNNING (or FINALIZING) in this agent's session,
 * so a task that was cancelled or failed (by the reconciler or a user) cannot be revived by a late
 * write.
 *
 * AGENT_ATTRIBUTES is the whole list of top-level attributes the contract lets an agent touch (key
 * and condition included): upstream's, and this agent's extensions (progress, result, updated_at,
 * version, expires_at, runtime_session_id). The session role allows UpdateItem on exactly these.
 */
import { assumedRoleCredentials, ConditionFailed, DynamoDb } from './aws';

export const AGENT_ATTRIBUTES = [
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

/** As the control plane's store: terminal rows are kept 90 days, results are capped at 64 KB. */
const RETENTION_S = 90 * 86_400;
const RESULT_MAX_BYTES = 64 * 1024;
const PROGRESS_MAX = 500;

/** The structured outcome upstream's agent records (docs/agent-contract.md §6). */
export interface OutcomeSummary {
  pr_url?: string;
  turns?: number;
  cost_usd?: number;
  duration_s?: number;
  build_passed?: boolean;
  lint_passed?: boolean;
}

export type Outcome = ({ status: 'COMPLETED'; result: Record<string, unknown> } | { status: 'FAILED'; reason: string; result?: Record<string, unknown> }) & {
  summary?: OutcomeSummary;
};

export interface TaskRowWriter {
  heartbeat(taskId: string, sessionId: string, progress: string): Promise<void>;
  finish(taskId: string, sessionId: string, outcome: Outcome): Promise<void>;
}

export { ConditionFailed };

function bound(result: Record<string, unknown>): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size <= RESULT_MAX_BYTES) return result;
  return { truncated: true, original_bytes: size, ...(typeof result.summary === 'string' ? { summary: result.summary.slice(0, 4000) } : {}) };
}

export class DynamoTaskRow implements TaskRowWriter {
  private readonly dbFor: (taskId: string) => DynamoDb;
  /** `db`: one client for every task, or a client per task (its own session role credentials). */
  constructor(
    db: DynamoDb | ((taskId: string) => DynamoDb),
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {
    this.dbFor = typeof db === 'function' ? db : () => db;
  }

  private async write(taskId: string, sessionId: string, set: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#session': 'runtime_session_id', '#version': 'version' };
    const values: Record<string, unknown> = { ':running': 'RUNNING', ':finalizing': 'FINALIZING', ':session': sessionId, ':one': 1 };
    const parts = Object.entries(set)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#a${i}`] = k;
        values[`:a${i}`] = v;
        return `#a${i} = :a${i}`;
      });
    await this.dbFor(taskId).updateItem({
      TableName: this.tableName,
      Key: { task_id: taskId },
      UpdateExpression: `SET ${parts.join(', ')} ADD #version :one`,
      ConditionExpression: '#status IN (:running, :finalizing) AND #session = :session',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  heartbeat(taskId: string, sessionId: string, progress: string): Promise<void> {
    const at = new Date(this.now()).toISOString();
    return this.write(taskId, sessionId, { agent_heartbeat_at: at, updated_at: at, progress: progress.slice(0, PROGRESS_MAX) });
  }

  finish(taskId: string, sessionId: string, outcome: Outcome): Promise<void> {
    const ms = this.now();
    const at = new Date(ms).toISOString();
    return this.write(taskId, sessionId, {
      status: outcome.status,
      agent_heartbeat_at: at,
      updated_at: at,
      completed_at: at,
      expires_at: Math.floor(ms / 1000) + RETENTION_S,
      progress: outcome.status === 'COMPLETED' ? 'done' : `failed: ${outcome.reason}`.slice(0, PROGRESS_MAX),
      ...(outcome.result ? { result: bound(outcome.result) } : {}),
      // Upstream's error_message is the agent's own words; readers add who said it.
      ...(outcome.status === 'FAILED' ? { error_message: outcome.reason.replace(/^agent: /, '').slice(0, 1000) } : {}),
      // As upstream writes them: numbers as strings, verification results as booleans.
      ...(outcome.summary?.pr_url ? { pr_url: outcome.summary.pr_url } : {}),
      ...(outcome.summary?.turns !== undefined ? { turns: String(outcome.summary.turns) } : {}),
      ...(outcome.summary?.cost_usd !== undefined ? { cost_usd: String(outcome.summary.cost_usd) } : {}),
      ...(outcome.summary?.duration_s !== undefined ? { duration_s: String(outcome.summary.duration_s) } : {}),
      ...(outcome.summary?.build_passed !== undefined ? { build_passed: outcome.summary.build_passed } : {}),
      ...(outcome.summary?.lint_passed !== undefined ? { lint_passed: outcome.summary.lint_passed } : {}),
    });
  }
}

/**
 * The row writer the environment configures (TASK_TABLE_NAME as upstream names it, TASKS_TABLE in
 * runtimes configured before the contract; AWS_REGION), or none outside a runtime.
 */
export function taskRowFromEnv(env: NodeJS.ProcessEnv = process.env): TaskRowWriter | undefined {
  const table = env.TASK_TABLE_NAME?.trim() || env.TASKS_TABLE?.trim();
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!table || !region) return undefined;
  const sessionRole = env.AGENT_SESSION_ROLE_ARN?.trim();
  if (!sessionRole) return new DynamoTaskRow(new DynamoDb(region, undefined, env), table);
  // Each task writes through the session role tagged with its task_id: its own row only.
  const perTask = new Map<string, DynamoDb>();
  return new DynamoTaskRow((taskId) => {
    let db = perTask.get(taskId);
    if (!db) {
      const credentials = assumedRoleCredentials({ region, roleArn: sessionRole, sessionName: taskId.slice(0, 64), tags: { task_id: taskId }, env });
      perTask.set(taskId, (db = new DynamoDb(region, credentials, env)));
    }
    return db;
  }, table);
}
