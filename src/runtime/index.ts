/** The application layer: moving the runtime image outside Terraform. One file per verb. */
export { openRuntime, defaultActor, type RuntimeContext } from './context';
export { publishRuntime, publishOptionsFromFlags, PUBLISH_FLAGS, type PublishOptions } from './publish';
export { rollbackRuntime, rollbackOptionsFromFlags, ROLLBACK_FLAGS, type RollbackOptions } from './rollback';
export { moveTo, observe, type ApplyOptions, type RuntimeOperationResult } from './move';
export { planMove, planRestore, describeStep, type PlanStep, type RuntimePlan, type MovePath, type VersionRef } from './plan';
export { runtimeStatus, assessDrift, parseTerraformState, type RuntimeStatusReport } from './status';
export { runtimeHistory, joinHistory, type HistoryEntry } from './history';
export { listAudit, lastKnownGood, type RuntimeAuditEvent } from './audit';
export { reapplyPointer, type ReapplyResult } from './reapply';
export { formatOperation, formatStatus } from './format';
export { addFlags } from './flags';
