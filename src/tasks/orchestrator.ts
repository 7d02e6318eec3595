/**
 * The task verbs: submit (validate, check the repository is active, write SUBMITTED), start (merge
 * the RepoConfig over platform defaults, RUNNING, start the agent's session), read, list, cancel
 * (CANCELLED, StopRuntimeSession). `submitTask` returns as soon as the row is written; `startTask`
 * runs in the background (an async invocation of the API function in AWS) and returns within
 * seconds. The agent writes its progress and outcome; the reconciler (reconciler.ts) fails the
 * tasks whose agent went silent and re-starts the ones whose dispatch was lost. The agent contract
 * is in contract.ts, the configuration merge in config.ts, the rows in store.ts (TaskStore) and
 * repos/store.ts (RepoStore).
 */
import { computeTypeRefusal } from '../repos/upstream';
import { describeError, ValidationError } from '../errors';
import { canonicalRepoId, RepoConfigSchema, repoIdProblem } from '../repos/repo-config';
import type { RepoStore } from '../repos/store';
import { mergeTaskConfig } from './config';
import { interpretStartAnswer, invocationPayload, runtimeUserId } from './contract';
import { lifecycleFields, taskOutcome, type TaskOutcomeView } from './outcome';
import { IllegalTransitionError, RepoNotOnboardedError, TaskNotFoundError } from './errors';
import type { AgentInvoker } from './invoker';
import { parseTaskInput } from './schema';
import { TokenUnavailableError, type TokenReader } from './tokens';
import { requestHash, taskIdFor, assertSameRequest, type ListQuery, type TaskRecord, type TaskStore, type TransitionFields } from './store';
import type { TaskState } from './state-machine';

export interface TaskDeps {
  /** The tasks table. */
  store: TaskStore;
  /** The repos table: a task runs only on an active repository, with its RepoConfig. */
  repos: Pick<RepoStore, 'get'>;
  invoker: AgentInvoker;
  /**
   * Model for repositories that name none: a model id, or a function reading it (the wiring gives
   * liveDefaultModel, config.ts). Default: DEFAULT_GUARDRAILS.allowed_models[0].
   */
  defaultModelId?: string | (() => Promise<string>);
  now?: () => Date;
  log?: (line: string) => void;
  /**
   * The runtime version the invoker's endpoint serves now (GetAgentRuntimeEndpoint liveVersion),
   * recorded on the task at start; undefined when it cannot be read (the start goes on without it).
   */
  servedVersion?: () => Promise<string | undefined>;
  /**
   * Reads a repository's GitHub token from its secret, for the invocation only (tokens.ts). Without
   * it, a repository with a token secret starts without `github_token`.
   */
  readToken?: TokenReader;
}

/**
 * What callers see of a task row: internal bookkeeping and the token secret's ARN left out, the
 * agent's outcome typed (outcome.ts), and heartbeat/end/reason under one name whichever the row used.
 */
export type TaskView = Omit<TaskRecord, 'request_hash' | 'expires_at' | 'agent_heartbeat_at' | 'completed_at' | 'cost_usd' | 'turns' | 'duration_s'> &
  TaskOutcomeView & { heartbeat_at?: string; finished_at?: string };

export function toTaskView(record: TaskRecord): TaskView {
  const {
    request_hash: _hash,
    expires_at: _ttl,
    agent_heartbeat_at: _beat,
    completed_at: _done,
    cost_usd: _cost,
    turns: _turns,
    duration_s: _duration,
    ...rest
  } = record;
  const view: TaskView = { ...rest, ...lifecycleFields(record), ...taskOutcome(record) };
  if (view.config && 'github_token_secret_arn' in view.config) {
    const { github_token_secret_arn: _secret, ...config } = view.config;
    view.config = config;
  }
  return view;
}

function clock(deps: TaskDeps): () => Date {
  return deps.now ?? (() => new Date());
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
    const existing = await deps.store.get(record.task_id);
    if (existing) return { task: toTaskView(assertSameRequest(existing, record)), created: false };
  }
  const repo = await deps.repos.get(input.repo);
  if (repo?.status !== 'active') throw new RepoNotOnboardedError(input.repo, typeof repo?.status === 'string' ? repo.status : undefined);
  // Upstream rows may name a compute type this platform does not run: kept on the row, refused here.
  const unsupported = computeTypeRefusal(repo);
  if (unsupported) throw new ValidationError(unsupported, 'COMPUTE_TYPE_UNSUPPORTED', { repo: input.repo, compute_type: repo.compute_type });
  const at = clock(deps)().toISOString();
  const { task, created } = await deps.store.create({ ...record, created_at: at, updated_at: at });
  deps.log?.(`task ${task.task_id} ${created ? 'submitted' : 'resubmitted'} for ${task.repo} by ${req.caller}`);
  return { task: toTaskView(task), created };
}

async function move(deps: TaskDeps, task: TaskRecord, to: TaskState, fields: TransitionFields): Promise<TaskRecord | undefined> {
  try {
    return await deps.store.transition(task, to, fields, clock(deps));
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
  const task = await deps.store.require(taskId);
  if (task.status !== 'SUBMITTED') return toTaskView(task);
  const current = async () => toTaskView(await deps.store.require(taskId));

  const row = await deps.repos.get(task.repo);
  const parsed = RepoConfigSchema.safeParse(row);
  if (!row || row.status !== 'active' || !parsed.success) {
    const reason =
      !row || row.status !== 'active'
        ? `repository ${task.repo} is ${typeof row?.status === 'string' ? row.status : 'not onboarded'}, not active`
        : `the RepoConfig row of ${task.repo} is invalid: ${parsed.error?.issues[0]?.path.join('.')}: ${parsed.error?.issues[0]?.message}`;
    log(`task ${taskId} failed before start: ${reason}`);
    return toTaskView((await move(deps, task, 'FAILED', { status_reason: reason })) ?? (await deps.store.require(taskId)));
  }
  const repo = parsed.data;
  const defaultModel = typeof deps.defaultModelId === 'function' ? await deps.defaultModelId() : deps.defaultModelId;
  const config = mergeTaskConfig(repo, defaultModel);
  // Read before the task moves: a token that cannot be read fails the task with the reason, not the agent.
  let githubToken: string | undefined;
  if (config.github_token_secret_arn && deps.readToken) {
    try {
      githubToken = await deps.readToken(config.github_token_secret_arn);
    } catch (e) {
      const reason = e instanceof TokenUnavailableError ? e.message : describeError(e);
      log(`task ${taskId} failed before start: ${reason}`);
      return toTaskView((await move(deps, task, 'FAILED', { status_reason: reason })) ?? (await deps.store.require(taskId)));
    }
  }
  const runtimeArn = repo.runtime_arn ?? deps.invoker.target;
  // Read just before the session starts: a publish moving `live` meanwhile is the only race.
  const runtimeVersion = repo.runtime_arn ? undefined : await deps.servedVersion?.().catch(() => undefined);
  const userId = runtimeUserId(task.submitted_by);
  const running = await move(deps, task, 'RUNNING', {
    ...(runtimeVersion ? { runtime_version: runtimeVersion } : {}),
    config: config as unknown as Record<string, unknown>,
    runtime_session_id: task.task_id,
    runtime_arn: runtimeArn,
    ...(deps.invoker.qualifier ? { runtime_qualifier: deps.invoker.qualifier } : {}),
    agent_heartbeat_at: clock(deps)().toISOString(),
    progress: 'starting the agent session',
    user_id: userId,
  });
  if (!running) return current();
  log(`task ${taskId} starting on ${runtimeArn} (${deps.invoker.qualifier ?? 'DEFAULT'})`);

  let answer: unknown;
  try {
    const payload = invocationPayload(task, config, { userId, startedAt: running.started_at, githubToken });
    answer = await deps.invoker.invoke({ sessionId: task.task_id, payload, runtimeArn: repo.runtime_arn, userId });
  } catch (e) {
    const reason = `the agent session could not be started: ${describeError(e)}`;
    log(`task ${taskId} failed: ${reason}`);
    return toTaskView((await move(deps, running, 'FAILED', { status_reason: reason })) ?? (await deps.store.require(taskId)));
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
  const task = await deps.store.require(taskId);
  if (!visibleTo(task, viewer)) throw new TaskNotFoundError(taskId);
  return toTaskView(task);
}

/** One page, shaped like the API's other lists (`{items, next_token?}`). */
export async function listTasks(deps: TaskDeps, query: ListQuery = {}, viewer?: TaskViewer): Promise<{ items: TaskView[]; next_token?: string }> {
  if (viewer && !viewer.admin) query = { ...query, submittedBy: viewer.id };
  const problem = query.repo !== undefined ? repoIdProblem(query.repo) : undefined;
  if (problem) throw new ValidationError(`repo ${problem}`, 'VALIDATION_ERROR', { problems: [{ field: 'repo', message: problem }] });
  const page = await deps.store.list(query.repo === undefined ? query : { ...query, repo: canonicalRepoId(query.repo) });
  return { items: page.tasks.map(toTaskView), ...(page.next_token ? { next_token: page.next_token } : {}) };
}

/**
 * SUBMITTED or RUNNING → CANCELLED, then StopRuntimeSession on the task's session: the agent stops,
 * and any write it still attempts is refused by its condition (RUNNING in its session). A finished
 * task is ILLEGAL_TRANSITION (409). A failure to stop the session does not undo the cancel: the
 * row is already CANCELLED, and AgentCore ends the idle session within 15 minutes anyway.
 */
export async function cancelTask(deps: TaskDeps, taskId: string, opts: { caller?: string; reason?: string; viewer?: TaskViewer } = {}): Promise<TaskView> {
  const task = await deps.store.require(taskId);
  if (!visibleTo(task, opts.viewer)) throw new TaskNotFoundError(taskId);
  const reason = opts.reason ?? `cancelled${opts.caller ? ` by ${opts.caller}` : ''}`;
  const cancelled = await deps.store.transition(
    task,
    'CANCELLED',
    { status_reason: reason, ...(opts.caller ? { cancelled_by: opts.caller } : {}) },
    clock(deps),
  );
  deps.log?.(`task ${taskId} cancelled (${reason})`);
  if (cancelled.runtime_session_id) await stopSession(deps, cancelled);
  return toTaskView(cancelled);
}

/**
 * StopRuntimeSession for a task's session, on the runtime and qualifier the task started on (a
 * session belongs to that endpoint, whatever the invoker targets now); never throws (logged): the
 * row's state is what counts.
 */
export async function stopSession(deps: TaskDeps, task: TaskRecord): Promise<'stopped' | 'not_found' | 'failed'> {
  try {
    const out = await deps.invoker.stopSession({ sessionId: task.runtime_session_id!, runtimeArn: task.runtime_arn, qualifier: task.runtime_qualifier });
    deps.log?.(`task ${task.task_id}: session ${out === 'stopped' ? 'stopped' : 'already gone'}`);
    return out;
  } catch (e) {
    deps.log?.(`task ${task.task_id}: StopRuntimeSession failed: ${describeError(e)}`);
    return 'failed';
  }
}
