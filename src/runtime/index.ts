/** The application layer: moving the runtime image outside Terraform. */
export { openRuntime, defaultActor, type RuntimeContext } from './context';
export { publishRuntime, rollbackRuntime, planMove, type PublishOptions, type RollbackOptions, type RuntimeOperationResult, type RuntimePlan } from './publish';
export { runtimeStatus, assessDrift, parseTerraformState, type RuntimeStatusReport } from './status';
export { listAudit, lastKnownGood, type RuntimeAuditEvent } from './audit';
export { reapplyPointer, type ReapplyResult } from './reapply';
export { formatOperation, formatStatus } from './format';
