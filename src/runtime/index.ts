/**
 * The application layer: moving the runtime image outside Terraform. Each verb (publish,
 * rollback, promote, reapply, status, history) has its folder under verbs/ with its options and
 * its entry function; the machinery they share (plan, apply, move, the AWS edges) sits here.
 */
export { openRuntime, defaultActor, type RuntimeContext } from './context';
export { publishRuntime, publishOptionsFromFlags, PUBLISH_FLAGS, type PublishOptions } from './verbs/publish';
export { rollbackRuntime, rollbackOptionsFromFlags, ROLLBACK_FLAGS, type RollbackOptions } from './verbs/rollback';
export { promoteRuntime, type PromoteOptions, type PromoteResult } from './verbs/promote';
export { reapplyPointer, type ReapplyResult } from './verbs/reapply';
export { runtimeStatus, assessDrift, parseTerraformState, type RuntimeStatusReport } from './verbs/status';
export { formatStatus } from './verbs/status/format';
export { runtimeHistory } from './verbs/history';
export { moveTo, observe, type RuntimeOperationResult } from './move';
export { planMove, planRestore, describeStep, type PlanStep, type RuntimePlan, type MovePath, type VersionRef } from './plan';
export { joinHistory, type HistoryEntry } from './history';
export { listAudit, lastKnownGood, type RuntimeAuditEvent } from './audit';
export { formatOperation } from './format';
export { addFlags, type ApplyOptions } from './options';
