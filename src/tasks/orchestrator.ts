/**
 * The task path: submit (validate, check the repository is active, write SUBMITTED), start (merge
 * the RepoConfig over platform defaults, RUNNING, start the agent's session), read, list, cancel
 * (CANCELLED, StopRuntimeSession). `submitTask` returns as soon as the row is written; `startTask`
 * runs in the background (an async invocation of the API function in AWS) and returns within
 * seconds. The agent writes its progress and outcome; the reconciler (reconciler.ts) fails the
 * tasks whose agent went silent and re-starts the ones whose dispatch was lost.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describeError, ValidationError } from '../errors';
import { DEFAULT_GUARDRAILS } from '../platform/guardrails';
import type { PlatformConfig } from '../platform/platform-config';
import { canonicalRepoId, REPO_DEFAULTS, RepoConfigSchema, repoIdProblem, type RepoConfig } from '../repos/repo-config';
import { IllegalTransitionError, RepoNotOnboardedError, TaskNotFoundError } from './errors';
import { AgentCoreInvoker, type AgentInvoker } from './invoker';
import { LIVE_ENDPOINT } from '../platform/runtime-spec';
import { parseTaskInput } from './schema';
import {
  assertSameRequest,
  createTaskRecord,
  getTaskRecord,
  listTaskRecords,
  requestHash,
  requireTaskRecord,
  taskIdFor,
  transitionTaskRecord,
  type ListQuery,
  type TaskRecord,
  type TaskTable,
  type TransitionFields,
} from './store';
import type { TaskState } from './state-machine';

export interface TaskDeps {
  doc: DynamoDBDocumentClient;
  tables: { repos: string; tasks: string };
  invoker: AgentInvoker;
  /**
   * Model for repositories that name none: a model id, or a function reading it (e.g. the first
   * allowed model of the live guardrails). Default: DEFAULT_GUARDRAILS.allowed_models[0].
   */
  defaultModelId?: string | (() => Promise<string>);
  now?: () => Date;
  log?: (line: string) => void;
}

/** What callers see of a task row (internal bookkeeping and the token secret's ARN left out). */
export type TaskView = Omit<TaskRecord, 'request_hash' | 'expires_at'>;

export function toTaskView(record: TaskRecord): TaskView {
  const { request_hash: _hash, expires_at: _ttl, ...view } = record;
  if (view.config && 'github_token_secret_arn' in view.config) {
    const { github_token_secret_arn: _secret, ...config } = view.config;
    view.config = config;
  }
  return view;
}

/** The invocation config the agent receives: platform defaults, then the RepoConfig's own settings. */
export interface TaskRunConfig {
  model_id: string;
  max_turns: number;
  max_budget_usd: number;
  poll_interval_ms: number;
  approval_gate_cap: number;
  egress_allowlist: string[];
  cedar_policies: string[];
  system_prompt_overrides?: string;
  build_command?: string;
  lint_command?: string;
  github_token_secret_arn?: string;
}

export function platformTaskDefaults(defaultModelId?: string): TaskRunConfig {
  const { compute_type: _compute, ...defaults } = REPO_DEFAULTS;
  return { ...defaults, model_id: defaultModelId ?? DEFAULT_GUARDRAILS.allowed_models[0]! };
}

/** Pure: RepoConfig fields that are set win over the defaults; runtime_arn and compute_type pick the runtime, not the agent's behaviour. */
export function mergeTaskConfig(repo: RepoConfig, defaultModelId?: string): TaskRunConfig {
  const merged: TaskRunConfig = platformTaskDefaults(defaultModelId);
  const keys = [
    'model_id',
    'max_turns',
    'max_budget_usd',
    'poll_interval_ms',
    'approval_gate_cap',
    'egress_allowlist',
    'cedar_policies',
    'system_prompt_overrides',
    'build_command',
    'lint_command',
    'github_token_secret_arn',
  ] as const;
  for (const key of keys) {
    const value = repo[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

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

function table(deps: TaskDeps): TaskTable {
  return { doc: deps.doc, tableName: deps.tables.tasks };
}

function clock(deps: TaskDeps): () => Date {
  return deps.now ?? (() => new Date());
}

async function readRepoRow(deps: TaskDeps, repo: string): Promise<Record<string, unknown> | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.tables.repos, Key: { repo }, ConsistentRead: true }));
  return out.Item;
}

export interface SubmitRequest {
  /** Stable principal of the caller (e.g. `user:<cognito sub>`, `key:<key id>`); scopes idempotency keys. */
  caller: string;
  /** The raw body: validated here. */
  input: unknown;
}

/**
 * Validates, refuses a repository that is not active (REPO_NOT_ONBOARDED), writes the SUBMITTED row.
 * A resubmission with the same idempotency key and the same task returns the existing task with
 * `created: false` (whatever its state, even if the repository has since been removed); with a
 * different task, IDEMPOTENCY_MISMATCH. Start it with startTask (safe to call for any task).
 */
export async function submitTask(deps: TaskDeps, req: SubmitRequest): Promise<{ task: TaskView; created: boolean }> {
  if (!req.caller) throw new ValidationError('a task needs a caller identity', 'VALIDATION_ERROR');
  const input = parseTaskInput(req.input);
  const record: TaskRecord = {
    task_id: taskIdFor(req.caller, input.idempotency_key),
    repo: input.repo,
    description: input.description,
    status: 'SUBMITTED',
    request_hash: requestHash(input),
    submitted_by: req.caller,
    created_at: '',
    updated_at: '',
    version: 1,
    ...(input.idempotency_key ? { idempotency_key: input.idempotency_key } : {}),
  };
  if (input.idempotency_key) {
    // A replay answers as the first call did, before the repository is looked at again.
    const existing = await getTaskRecord(table(deps), record.task_id);
    if (existing) return { task: toTaskView(assertSameRequest(existing, record)), created: false };
  }
  const repo = await readRepoRow(deps, input.repo);
  if (repo?.status !== 'active') throw new RepoNotOnboardedError(input.repo, typeof repo?.status === 'string' ? repo.status : undefined);
  const at = clock(deps)().toISOString();
  const { task, created } = await createTaskRecord(table(deps), { ...record, created_at: at, updated_at: at });
  deps.log?.(`task ${task.task_id} ${created ? 'submitted' : 'resubmitted'} for ${task.repo} by ${req.caller}`);
  return { task: toTaskView(task), created };
}

async function move(deps: TaskDeps, task: TaskRecord, to: TaskState, fields: TransitionFields): Promise<TaskRecord | undefined> {
  try {
    return await transitionTaskRecord(table(deps), task, to, fields, clock(deps));
  } catch (e) {
    // Someone else moved it (cancelled it, or another runner took it): theirs stands.
    if (e instanceof IllegalTransitionError) return undefined;
    throw e;
  }
}

/**
 * Starts a SUBMITTED task: RUNNING (conditional, so only one dispatcher wins; the session id, the
 * endpoint and a first heartbeat are recorded), then InvokeAgentRuntime on `live`, which the agent
 * answers at once: it works in the background and reports progress and its outcome to the row
 * itself. This returns within the invoker's timeout (seconds); no caller waits for the agent.
 * A failed invocation fails the task with the reason. A task that is not SUBMITTED is returned as
 * it is, so dispatching twice (a replay, the reconciler) is harmless.
 */
export async function startTask(deps: TaskDeps, taskId: string): Promise<TaskView> {
  const log = deps.log ?? (() => {});
  const task = await requireTaskRecord(table(deps), taskId);
  if (task.status !== 'SUBMITTED') return toTaskView(task);
  const current = async () => toTaskView(await requireTaskRecord(table(deps), taskId));

  const row = await readRepoRow(deps, task.repo);
  const parsed = RepoConfigSchema.safeParse(row);
  if (!row || row.status !== 'active' || !parsed.success) {
    const reason =
      !row || row.status !== 'active'
        ? `repository ${task.repo} is ${typeof row?.status === 'string' ? row.status : 'not onboarded'}, not active`
        : `the RepoConfig row of ${task.repo} is invalid: ${parsed.error?.issues[0]?.path.join('.')}: ${parsed.error?.issues[0]?.message}`;
    log(`task ${taskId} failed before start: ${reason}`);
    return toTaskView((await move(deps, task, 'FAILED', { status_reason: reason })) ?? (await requireTaskRecord(table(deps), taskId)));
  }
  const repo = parsed.data;
  const defaultModel = typeof deps.defaultModelId === 'function' ? await deps.defaultModelId() : deps.defaultModelId;
  const config = mergeTaskConfig(repo, defaultModel);
  const runtimeArn = repo.runtime_arn ?? deps.invoker.target;
  const running = await move(deps, task, 'RUNNING', {
    config: config as unknown as Record<string, unknown>,
    runtime_session_id: task.task_id,
    runtime_arn: runtimeArn,
    ...(deps.invoker.qualifier ? { runtime_qualifier: deps.invoker.qualifier } : {}),
    heartbeat_at: clock(deps)().toISOString(),
    progress: 'starting the agent session',
  });
  if (!running) return current();
  log(`task ${taskId} starting on ${runtimeArn} (${deps.invoker.qualifier ?? 'DEFAULT'})`);

  let answer: unknown;
  try {
    answer = await deps.invoker.invoke({ sessionId: task.task_id, payload: invocationPayload(task, config), runtimeArn: repo.runtime_arn });
  } catch (e) {
    const reason = `the agent session could not be started: ${describeError(e)}`;
    log(`task ${taskId} failed: ${reason}`);
    return toTaskView((await move(deps, running, 'FAILED', { status_reason: reason })) ?? (await requireTaskRecord(table(deps), taskId)));
  }
  const verdict = interpretStartAnswer(answer);
  // The row as this start left it (the agent may already be writing to it).
  if (verdict.kind === 'started') return toTaskView(running);
  // An older image that still answers synchronously: its answer is the outcome.
  const done = verdict.ok
    ? await move(deps, running, 'COMPLETED', { result: verdict.result })
    : await move(deps, running, 'FAILED', { status_reason: verdict.reason, ...(verdict.result ? { result: verdict.result } : {}) });
  log(`task ${taskId} ${done ? done.status : 'changed meanwhile; the agent answer is dropped'}`);
  return done ? toTaskView(done) : current();
}

export type StartVerdict = { kind: 'started' } | ({ kind: 'finished' } & AgentVerdict);

/** Pure: `accepted`/`running` (the asynchronous contract) or a finished answer (an older, synchronous image). */
export function interpretStartAnswer(body: unknown): StartVerdict {
  const status = (body as { status?: unknown } | null)?.status;
  if (status === 'accepted' || status === 'running') return { kind: 'started' };
  return { kind: 'finished', ...interpretAgentAnswer(body) };
}

/** Who is asking: non-admins see and cancel only the tasks they submitted (others are TASK_NOT_FOUND). */
export interface TaskViewer {
  /** The submitter string of the caller (`user:<sub>`, `key:<id>`). */
  id: string;
  admin: boolean;
}

function visibleTo(task: TaskRecord, viewer?: TaskViewer): boolean {
  return !viewer || viewer.admin || task.submitted_by === viewer.id;
}

export async function getTask(deps: TaskDeps, taskId: string, viewer?: TaskViewer): Promise<TaskView> {
  const task = await requireTaskRecord(table(deps), taskId);
  if (!visibleTo(task, viewer)) throw new TaskNotFoundError(taskId);
  return toTaskView(task);
}

/** One page, shaped like the API's other lists (`{items, next_token?}`). */
export async function listTasks(deps: TaskDeps, query: ListQuery = {}, viewer?: TaskViewer): Promise<{ items: TaskView[]; next_token?: string }> {
  if (viewer && !viewer.admin) query = { ...query, submittedBy: viewer.id };
  const problem = query.repo !== undefined ? repoIdProblem(query.repo) : undefined;
  if (problem) throw new ValidationError(`repo ${problem}`, 'VALIDATION_ERROR', { problems: [{ field: 'repo', message: problem }] });
  const page = await listTaskRecords(table(deps), query.repo === undefined ? query : { ...query, repo: canonicalRepoId(query.repo) });
  return { items: page.tasks.map(toTaskView), ...(page.next_token ? { next_token: page.next_token } : {}) };
}

/**
 * SUBMITTED or RUNNING → CANCELLED, then StopRuntimeSession on the task's session: the agent stops,
 * and any write it still attempts is refused by its condition (RUNNING in its session). A finished
 * task is ILLEGAL_TRANSITION (409). A failure to stop the session does not undo the cancel: the
 * row is already CANCELLED, and AgentCore ends the idle session within 15 minutes anyway.
 */
export async function cancelTask(deps: TaskDeps, taskId: string, opts: { caller?: string; reason?: string; viewer?: TaskViewer } = {}): Promise<TaskView> {
  const task = await requireTaskRecord(table(deps), taskId);
  if (!visibleTo(task, opts.viewer)) throw new TaskNotFoundError(taskId);
  const reason = opts.reason ?? `cancelled${opts.caller ? ` by ${opts.caller}` : ''}`;
  const cancelled = await transitionTaskRecord(
    table(deps),
    task,
    'CANCELLED',
    { status_reason: reason, ...(opts.caller ? { cancelled_by: opts.caller } : {}) },
    clock(deps),
  );
  deps.log?.(`task ${taskId} cancelled (${reason})`);
  if (cancelled.runtime_session_id) await stopSession(deps, cancelled);
  return toTaskView(cancelled);
}

/** StopRuntimeSession for a task's session; never throws (logged): the row's state is what counts. */
export async function stopSession(deps: TaskDeps, task: TaskRecord): Promise<'stopped' | 'not_found' | 'failed'> {
  try {
    const out = await deps.invoker.stopSession({ sessionId: task.runtime_session_id!, runtimeArn: task.runtime_arn });
    deps.log?.(`task ${task.task_id}: session ${out === 'stopped' ? 'stopped' : 'already gone'}`);
    return out;
  } catch (e) {
    deps.log?.(`task ${task.task_id}: StopRuntimeSession failed: ${describeError(e)}`);
    return 'failed';
  }
}

/** Deps from the platform document: its tables, and InvokeAgentRuntime on the platform's runtime, endpoint `live`. */
export function taskDepsFromPlatform(
  platform: Pick<PlatformConfig, 'tables' | 'agentRuntimeArn'>,
  clients: { doc: DynamoDBDocumentClient },
  opts: { invoker?: AgentInvoker; defaultModelId?: TaskDeps['defaultModelId']; log?: (line: string) => void } = {},
): TaskDeps {
  return {
    doc: clients.doc,
    tables: { repos: platform.tables.repos, tasks: platform.tables.tasks },
    invoker: opts.invoker ?? new AgentCoreInvoker({ runtimeArn: platform.agentRuntimeArn, qualifier: LIVE_ENDPOINT }),
    defaultModelId: opts.defaultModelId,
    log: opts.log,
  };
}
