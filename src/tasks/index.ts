/** The task domain: what the API mounts for /v1/tasks and what the CLI's task commands read. */
export * from './errors';
export * from './state-machine';
export * from './schema';
export * from './invoker';
export {
  cancelTask,
  getTask,
  interpretAgentAnswer,
  invocationPayload,
  listTasks,
  mergeTaskConfig,
  platformTaskDefaults,
  startTask,
  stopSession,
  interpretStartAnswer,
  submitTask,
  taskDepsFromPlatform,
  toTaskView,
  type AgentVerdict,
  type SubmitRequest,
  type TaskDeps,
  type TaskRunConfig,
  type TaskView,
  type TaskViewer,
  type StartVerdict,
} from './orchestrator';
export * from './reconciler';
export { isTaskId, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, TASK_RETENTION_DAYS, type ListQuery, type TaskRecord } from './store';
