/** The task domain: what the API mounts for /v1/tasks and what the CLI's task commands read. */
export * from './errors';
export * from './state-machine';
export * from './schema';
export * from './invoker';
export * from './config';
export * from './contract';
export * from './agent-states';
export * from './outcome';
export * from './tokens';
export * from './dispatch';
export {
  cancelTask,
  getTask,
  listTasks,
  startTask,
  stopSession,
  submitTask,
  toTaskView,
  type SubmitRequest,
  type TaskDeps,
  type TaskView,
  type TaskViewer,
} from './orchestrator';
export * from './reconciler';
export { isTaskId, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, TASK_RETENTION_DAYS, TaskStore, type ListQuery, type TaskRecord } from './store';
