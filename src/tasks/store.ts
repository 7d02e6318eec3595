/**
 * Task rows in the platform's tasks table (hash key task_id; GSI repo-index on repo + created_at).
 *   - creation is a conditional put: an idempotent resubmission finds the row it already wrote;
 *   - every state change is a conditional write on the current status (see state-machine.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, paginateQuery, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../aws/errors';
import { allItems, decodePageToken, encodePageToken, fillPage } from '../aws/pages';
import { ConflictError, ValidationError } from '../errors';
import { TABLES } from '../platform/tables';
import { IdempotencyMismatchError, TaskNotFoundError } from './errors';
import { isAgentOnlyState, platformState, type RowState } from './agent-states';
import { isTaskState, isTerminal, TASK_STATES, transition, type TaskState } from './state-machine';

export const REPO_INDEX = TABLES.tasks.indexes.find((ix) => ix.name === 'repo-index')!.name;
export const STATUS_INDEX = TABLES.tasks.indexes.find((ix) => ix.name === 'status-index')!.name;
/** Terminal tasks stay for this long, then DynamoDB TTL removes them. */
export const TASK_RETENTION_DAYS = 90;
/** Results larger than this are replaced by a truncated marker (items are capped at 400 KB). */
export const RESULT_MAX_BYTES = 64 * 1024;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

const TASK_ID = /^task-[0-9a-f]{32}$/;

export interface TaskRecord {
  task_id: string;
  repo: string;
  description: string;
  /** A platform state, or one upstream's agent writes (agent-states.ts). */
  status: RowState;
  /** Why it FAILED or was CANCELLED (the platform's reason; the agent's is error_message). */
  status_reason?: string;
  idempotency_key?: string;
  /** Hash of what was submitted: a resubmission with the same key must send the same task. */
  request_hash: string;
  /** Caller principal (e.g. `user:<sub>`, `key:<id>`). */
  submitted_by: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  /** When it ended (upstream's name; the platform and the agent both write it). */
  completed_at?: string;
  /** When it ended, in rows written before the ABCA contract. */
  finished_at?: string;
  cancelled_by?: string;
  /** The merged configuration the agent ran with (RepoConfig over platform defaults). */
  config?: Record<string, unknown>;
  /** The agent's answer when COMPLETED (or FAILED with one). */
  result?: Record<string, unknown>;
  runtime_session_id?: string;
  /** The runtime and endpoint the session was started on (StopRuntimeSession needs the same). */
  runtime_arn?: string;
  runtime_qualifier?: string;
  /** The runtime version the qualifier served when the task started (the bake window compares versions by it). */
  runtime_version?: string;
  /** Written by the agent while it works (and at RUNNING by the dispatcher, as the first sign of life). */
  agent_heartbeat_at?: string;
  /** The heartbeat in rows written before the ABCA contract. */
  heartbeat_at?: string;
  /** The agent's structured outcome (upstream writes numbers as strings). */
  pr_url?: string;
  error_message?: string;
  cost_usd?: string | number;
  duration_s?: string | number;
  turns?: string | number;
  build_passed?: boolean;
  lint_passed?: boolean;
  /** The submitting user as the agent saw it (InvokeAgentRuntime runtimeUserId). */
  user_id?: string;
  /** The agent's last progress line. */
  progress?: string;
  /** How many times a dispatcher started (or re-started) this task. */
  dispatch_count?: number;
  /** Increments with every write. */
  version: number;
  expires_at?: number;
}

export function isTaskId(value: string): boolean {
  return TASK_ID.test(value);
}

/**
 * With an idempotency key, the id derives from (caller, key), so the same caller resubmitting with
 * the same key addresses the same row; different callers never collide. Without one, a random id.
 * Either way `task-<32 hex>` (37 characters: also a valid AgentCore runtime session id).
 */
export function taskIdFor(caller: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return `task-${randomUUID().replace(/-/g, '')}`;
  return `task-${createHash('sha256').update(`${caller}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

export function requestHash(input: { repo: string; description: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([input.repo, input.description]))
    .digest('hex');
}

/** Keeps a result within RESULT_MAX_BYTES. */
export function boundResult(result: Record<string, unknown>): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size <= RESULT_MAX_BYTES) return result;
  const summary = typeof result.summary === 'string' ? result.summary.slice(0, 4000) : undefined;
  return { truncated: true, original_bytes: size, ...(summary ? { summary } : {}), ...(typeof result.status === 'string' ? { status: result.status } : {}) };
}

function isConditionFailure(e: unknown): boolean {
  return isAwsError(e, 'ConditionalCheckFailedException');
}

/** The stored task when `candidate` asks for the same thing; IDEMPOTENCY_MISMATCH otherwise. */
export function assertSameRequest(existing: TaskRecord, candidate: Pick<TaskRecord, 'task_id' | 'request_hash' | 'submitted_by'>): TaskRecord {
  if (existing.request_hash !== candidate.request_hash || existing.submitted_by !== candidate.submitted_by) {
    throw new IdempotencyMismatchError(candidate.task_id);
  }
  return existing;
}

export type TransitionFields = Partial<
  Pick<
    TaskRecord,
    | 'status_reason'
    | 'result'
    | 'config'
    | 'runtime_session_id'
    | 'runtime_arn'
    | 'runtime_qualifier'
    | 'runtime_version'
    | 'agent_heartbeat_at'
    | 'progress'
    | 'cancelled_by'
    | 'user_id'
  >
>;

export interface ListQuery {
  repo?: string;
  status?: string;
  /** Only tasks this principal submitted (what a non-admin sees). */
  submittedBy?: string;
  limit?: number;
  next_token?: string;
}

export interface ListPage {
  tasks: TaskRecord[];
  next_token?: string;
}

/** A token this listing handed out: the key of its index (with `repo`) or of the table. */
function decodeToken(token: string, repo: string | undefined): Record<string, string> {
  return decodePageToken(
    token,
    (key) => {
      if (typeof key !== 'object' || key === null || Array.isArray(key)) return undefined;
      const entries = Object.entries(key as Record<string, unknown>);
      const allowed = repo ? ['task_id', 'repo', 'created_at'] : ['task_id'];
      if (entries.length !== allowed.length || !entries.every(([k, v]) => allowed.includes(k) && typeof v === 'string' && v.length <= 200)) return undefined;
      const typed = key as Record<string, string>;
      return isTaskId(typed.task_id!) && (!repo || typed.repo === repo) ? typed : undefined;
    },
    'next_token is not one this listing returned',
  );
}

/** The tasks table: one client, one table name, every read and write of a task row. */
export class TaskStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(taskId: string): Promise<TaskRecord | undefined> {
    if (!isTaskId(taskId)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { task_id: taskId }, ConsistentRead: true }));
    return out.Item as TaskRecord | undefined;
  }

  async require(taskId: string): Promise<TaskRecord> {
    const task = await this.get(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return task;
  }

  /**
   * Writes a new SUBMITTED row unless one with its id exists. An existing row with the same request
   * hash is the same task (`created: false`); a different one is IDEMPOTENCY_MISMATCH.
   */
  async create(record: TaskRecord): Promise<{ task: TaskRecord; created: boolean }> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: record, ConditionExpression: 'attribute_not_exists(task_id)' }));
      return { task: record, created: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    return { task: assertSameRequest(await this.require(record.task_id), record), created: false };
  }

  /**
   * Moves a task to `to`, as a write conditional on the status it was read with. When another actor
   * moved it first, re-reads and re-checks the move against the new status: still legal → retried,
   * now illegal → ILLEGAL_TRANSITION. Timestamps: started_at on RUNNING, finished_at (and the TTL) on
   * a terminal state.
   */
  async transition(current: TaskRecord, to: TaskState, fields: TransitionFields = {}, now: () => Date = () => new Date()): Promise<TaskRecord> {
    let task = current;
    for (let attempt = 0; attempt < 4; attempt++) {
      // A state only the agent writes (FINALIZING) moves as the platform state it counts as.
      transition({ ...task, status: platformState(task.status) }, to);
      const at = now();
      const iso = at.toISOString();
      const set: Record<string, unknown> = { ...fields, status: to, updated_at: iso };
      if (set.result) set.result = boundResult(set.result as Record<string, unknown>);
      if (to === 'RUNNING') set.started_at = iso;
      if (isTerminal(to)) {
        set.completed_at = iso;
        set.expires_at = Math.floor(at.getTime() / 1000) + TASK_RETENTION_DAYS * 86_400;
      }
      const entries = Object.entries(set).filter(([, v]) => v !== undefined);
      const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
      const values: Record<string, unknown> = { ':from': task.status, ':one': 1 };
      const assignments = entries.map(([k, v], i) => {
        names[`#f${i}`] = k;
        values[`:f${i}`] = v;
        return `#f${i} = :f${i}`;
      });
      try {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { task_id: task.task_id },
            UpdateExpression: `SET ${assignments.join(', ')} ADD #version :one`,
            ConditionExpression: 'attribute_exists(task_id) AND #status = :from',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes as TaskRecord;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        task = await this.require(task.task_id);
      }
    }
    throw new ConflictError(`task ${current.task_id} kept changing under us; try again`, 'TASK_STATE_CONFLICT', { task_id: current.task_id });
  }

  /**
   * RUNNING → FAILED only if nothing wrote the row since it was read (its version), so a heartbeat
   * that lands meanwhile wins. `undefined` when the row changed (nothing written): safe to race.
   */
  async failIfUnchanged(seen: TaskRecord, reason: string, now: () => Date = () => new Date()): Promise<TaskRecord | undefined> {
    transition({ ...seen, status: platformState(seen.status) }, 'FAILED');
    const at = now();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { task_id: seen.task_id },
          UpdateExpression: 'SET #status = :failed, status_reason = :reason, updated_at = :at, completed_at = :at, expires_at = :ttl ADD #version :one',
          // Upstream's agent does not bump the version: its heartbeat is compared as well.
          ConditionExpression: `#status = :from AND #version = :seen AND ${seen.agent_heartbeat_at === undefined ? 'attribute_not_exists(#beat)' : '#beat = :beat'}`,
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version', '#beat': 'agent_heartbeat_at' },
          ExpressionAttributeValues: {
            ':failed': 'FAILED',
            ':reason': reason,
            ':at': at.toISOString(),
            ':ttl': Math.floor(at.getTime() / 1000) + TASK_RETENTION_DAYS * 86_400,
            ':from': seen.status,
            ':seen': seen.version,
            ':one': 1,
            ...(seen.agent_heartbeat_at === undefined ? {} : { ':beat': seen.agent_heartbeat_at }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as TaskRecord;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  /** Every task in one state (at most `max`), oldest first, through status-index (the reconciler's read). */
  async inState(status: RowState, max = 1000): Promise<TaskRecord[]> {
    const pageSize = Math.min(100, max);
    const pages = paginateQuery(
      { client: this.doc, pageSize },
      {
        TableName: this.tableName,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
      },
    );
    const tasks = await allItems(pages, (page) => page.Items as TaskRecord[] | undefined, { maxPages: Math.ceil(max / pageSize) });
    return tasks.slice(0, max);
  }

  /**
   * With `repo`: newest first, through repo-index. Without: a table scan, in table order. `status`
   * filters either. Fills up to `limit` tasks across DynamoDB pages; `next_token` continues.
   */
  async list(query: ListQuery): Promise<ListPage> {
    const limit = query.limit ?? LIST_LIMIT_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
      throw new ValidationError(`limit must be an integer from 1 to ${LIST_LIMIT_MAX}`, 'VALIDATION_ERROR', {
        problems: [{ field: 'limit', message: `1-${LIST_LIMIT_MAX}` }],
      });
    }
    if (query.status !== undefined && !isTaskState(query.status) && !isAgentOnlyState(query.status)) {
      throw new ValidationError(`status must be one of ${TASK_STATES.join(', ')}, FINALIZING, AWAITING_APPROVAL`, 'VALIDATION_ERROR', {
        problems: [{ field: 'status', message: 'unknown status' }],
      });
    }
    const conditions = [...(query.status ? ['#status = :status'] : []), ...(query.submittedBy ? ['#owner = :owner'] : [])];
    const filterValues: Record<string, unknown> = {
      ...(query.status ? { ':status': query.status } : {}),
      ...(query.submittedBy ? { ':owner': query.submittedBy } : {}),
    };
    const filter = conditions.length
      ? {
          FilterExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { ...(query.status ? { '#status': 'status' } : {}), ...(query.submittedBy ? { '#owner': 'submitted_by' } : {}) },
        }
      : {};
    // Bounded: a sparse filter over a big table returns a next_token rather than scanning it all.
    const { items: tasks, lastKey } = await fillPage<TaskRecord>(
      (ExclusiveStartKey, Limit) =>
        query.repo
          ? this.doc.send(
              new QueryCommand({
                TableName: this.tableName,
                IndexName: REPO_INDEX,
                KeyConditionExpression: '#repo = :repo',
                ScanIndexForward: false,
                Limit,
                ExclusiveStartKey,
                ...filter,
                ExpressionAttributeNames: { ...filter.ExpressionAttributeNames, '#repo': 'repo' },
                ExpressionAttributeValues: { ':repo': query.repo, ...filterValues },
              }),
            )
          : this.doc.send(
              new ScanCommand({
                TableName: this.tableName,
                Limit,
                ExclusiveStartKey,
                ...filter,
                ...(conditions.length ? { ExpressionAttributeValues: filterValues } : {}),
              }),
            ),
      { limit, startKey: query.next_token ? decodeToken(query.next_token, query.repo) : undefined },
    );
    return { tasks, ...(lastKey ? { next_token: encodePageToken(lastKey) } : {}) };
  }
}
