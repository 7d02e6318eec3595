/**
 * What the agent writes to its task row: heartbeats while it works, and its outcome. Every write is
 * conditional on the row still being RUNNING in this agent's session, so a task that was cancelled
 * or failed (by the reconciler or a user) cannot be revived by a late write.
 *
 * AGENT_ATTRIBUTES is the whole list of top-level attributes these writes touch (key and condition
 * included): the runtime role's IAM policy allows UpdateItem on exactly these (dynamodb:Attributes).
 */
import { ConditionFailed, DynamoDb } from './aws';

export const AGENT_ATTRIBUTES = [
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

/** As the control plane's store: terminal rows are kept 90 days, results are capped at 64 KB. */
const RETENTION_S = 90 * 86_400;
const RESULT_MAX_BYTES = 64 * 1024;
const PROGRESS_MAX = 500;

export type Outcome = { status: 'COMPLETED'; result: Record<string, unknown> } | { status: 'FAILED'; reason: string; result?: Record<string, unknown> };

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
  constructor(
    private readonly db: DynamoDb,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async write(taskId: string, sessionId: string, set: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#session': 'runtime_session_id', '#version': 'version' };
    const values: Record<string, unknown> = { ':running': 'RUNNING', ':session': sessionId, ':one': 1 };
    const parts = Object.entries(set)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#a${i}`] = k;
        values[`:a${i}`] = v;
        return `#a${i} = :a${i}`;
      });
    await this.db.updateItem({
      TableName: this.tableName,
      Key: { task_id: taskId },
      UpdateExpression: `SET ${parts.join(', ')} ADD #version :one`,
      ConditionExpression: '#status = :running AND #session = :session',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  heartbeat(taskId: string, sessionId: string, progress: string): Promise<void> {
    const at = new Date(this.now()).toISOString();
    return this.write(taskId, sessionId, { heartbeat_at: at, updated_at: at, progress: progress.slice(0, PROGRESS_MAX) });
  }

  finish(taskId: string, sessionId: string, outcome: Outcome): Promise<void> {
    const ms = this.now();
    const at = new Date(ms).toISOString();
    return this.write(taskId, sessionId, {
      status: outcome.status,
      heartbeat_at: at,
      updated_at: at,
      finished_at: at,
      expires_at: Math.floor(ms / 1000) + RETENTION_S,
      progress: outcome.status === 'COMPLETED' ? 'done' : `failed: ${outcome.reason}`.slice(0, PROGRESS_MAX),
      ...(outcome.result ? { result: bound(outcome.result) } : {}),
      ...(outcome.status === 'FAILED' ? { status_reason: outcome.reason } : {}),
    });
  }
}

/** The row writer the environment configures (TASKS_TABLE, AWS_REGION), or none outside a runtime. */
export function taskRowFromEnv(env: NodeJS.ProcessEnv = process.env): TaskRowWriter | undefined {
  const table = env.TASKS_TABLE?.trim();
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!table || !region) return undefined;
  return new DynamoTaskRow(new DynamoDb(region, undefined, env), table);
}
