/**
 * The applier: runs a plan's steps exactly, in order, and records each one it ran. Nothing here
 * decides what to do; plan.ts did. State that only exists at run time (the version
 * UpdateAgentRuntime created, the pointer version written) is carried between steps.
 */
import { OperationFailedError, describeError } from '../errors';
import { containerUri } from '../platform/runtime-spec';
import { getRuntime, updateRuntime, waitReady, newClientToken, type WaitOptions } from './agent-runtime';
import { recordAudit, type RuntimeAuditEvent } from './audit';
import { canaryFailure, type CanaryReport, type CanaryRunner } from './release-check';
import type { RuntimeContext } from './context';
import { copyImage, type CopyResult, type RepositoryRef } from './ecr-copy';
import { endpointNames, moveEndpoint } from './endpoints';
import type { PlanStep, RuntimeAction, VersionRef } from './plan';
import { moveLabels, pointerDescription, writePointer } from './pointer';
import { formatPromotedFrom } from './promoted-from';
import { runSmoke } from './smoke';

export interface ApplyContext {
  action: RuntimeAction;
  /** Pointer and live version when the plan was made. */
  from: { digest: string; pointerVersion: number; liveVersion?: string };
  to: string;
  path?: string;
  /** The pointer version that gets the `previous` label when this run writes a new one. */
  previousLabelVersion?: number;
  wait: Omit<WaitOptions, 'onPoll'>;
  audit: Pick<RuntimeAuditEvent, 'git_commit' | 'ci_run_url' | 'reason' | 'promoted_from'> & { error?: string };
  /** Promotion: the source repository with an ECR client that reaches it (a `copy_image` step reads it). */
  imageSource?: RepositoryRef;
  /** What runs a `canary_check` step (canary-check.ts runCanaryCheck, given by the verb that planned one). */
  canary?: CanaryRunner;
}

/** What the steps did so far: read by later steps, by the failure handler and the result. */
export interface ApplyState {
  executed: PlanStep[];
  newVersion?: string;
  pointerVersion?: number;
  pointerWritten: boolean;
  runtimeUpdated: boolean;
  canaryMoved: boolean;
  liveMoved: boolean;
  /** The version the last move of `live` put it on. */
  liveVersion?: string;
  /** What a `copy_image` step did. */
  copied?: CopyResult;
  /** What a `canary_check` step found (also when it failed). */
  canary?: CanaryReport;
}

export function initialState(): ApplyState {
  return { executed: [], pointerWritten: false, runtimeUpdated: false, canaryMoved: false, liveMoved: false };
}

function resolveVersion(ref: VersionRef, state: ApplyState): string {
  if (ref !== 'new') return ref.existing;
  if (!state.newVersion) throw new OperationFailedError('plan refers to the new version before UpdateAgentRuntime created it', 'PLAN_INVALID');
  return state.newVersion;
}

export async function applySteps(ctx: RuntimeContext, steps: PlanStep[], run: ApplyContext, state: ApplyState = initialState()): Promise<ApplyState> {
  const wait = (what: string): WaitOptions => ({
    ...run.wait,
    onPoll: (status, elapsed) => ctx.log(`${what} ${status} (${Math.round(elapsed / 1000)} s)`, { transient: true }),
  });
  for (const step of steps) {
    switch (step.kind) {
      case 'copy_image': {
        const source = run.imageSource;
        if (!source || source.repositoryName !== step.from.repository)
          throw new OperationFailedError(`plan copies from ECR ${step.from.repository}, which this run cannot reach`, 'PLAN_INVALID');
        ctx.log(`copying ${step.digest.slice(0, 19)}… ${step.from.env} → ${ctx.env}`);
        state.copied = await copyImage(source, { ecr: ctx.clients.ecr, repositoryName: step.into }, step.digest, { tag: step.tag, log: ctx.log });
        break;
      }
      case 'write_pointer': {
        ctx.log(`pointer → ${step.digest.slice(0, 19)}…`);
        state.pointerWritten = true;
        const description = pointerDescription({
          by: ctx.actor,
          action: run.action,
          from: run.from.digest,
          commit: run.audit.git_commit,
          run: run.audit.ci_run_url,
          reason: run.audit.reason,
          promoted_from: run.audit.promoted_from && formatPromotedFrom(run.audit.promoted_from),
        });
        state.pointerVersion = await writePointer(ctx.clients.ssm, ctx.platform.imagePointerParameter, step.digest, description);
        break;
      }
      case 'update_runtime': {
        let latest = await getRuntime(ctx);
        // AWS refuses an update while one is in progress (ConflictException): let it settle first.
        if (latest.status === 'UPDATING' || latest.status === 'CREATING')
          latest = await waitReady(ctx, wait('runtime (settling)')).catch(() => getRuntime(ctx));
        state.runtimeUpdated = true;
        state.newVersion = await updateRuntime(ctx, latest, containerUri(ctx.platform.ecrRepositoryUrl, step.digest), newClientToken());
        ctx.log(`runtime updating: version ${state.newVersion}`);
        break;
      }
      case 'wait_version': {
        const version = resolveVersion(step.version, state);
        await waitReady(ctx, { ...wait(`runtime version ${version}`), version });
        break;
      }
      case 'move_endpoint': {
        const version = resolveVersion(step.version, state);
        const name = endpointNames(ctx)[step.endpoint];
        ctx.log(`endpoint ${name} → version ${version}`);
        if (step.endpoint === 'canary') state.canaryMoved = true;
        await moveEndpoint(ctx, name, version, wait(`endpoint ${name}`));
        if (step.endpoint === 'live') {
          state.liveMoved = true;
          state.liveVersion = version;
        }
        break;
      }
      case 'canary_check': {
        const version = resolveVersion(step.version, state);
        ctx.log(`canary check through ${endpointNames(ctx)[step.endpoint]} (version ${version})`);
        if (!run.canary) throw new OperationFailedError('plan has a canary check but this run cannot run one', 'PLAN_INVALID');
        state.canary = await run.canary(ctx, { version, digest: run.to, golden: step.golden, pollIntervalMs: run.wait.pollIntervalMs });
        for (const c of state.canary.checks) ctx.log(`  ${c.ok === null ? 'skip' : c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
        if (!state.canary.ok) throw canaryFailure(state.canary);
        break;
      }
      case 'smoke': {
        const version = resolveVersion(step.version, state);
        const qualifier = endpointNames(ctx)[step.endpoint];
        ctx.log(`smoke through ${qualifier} (version ${version}): ${step.cmd}`);
        const smoke = await runSmoke(step.cmd, {
          RUNTIME_ARN: ctx.platform.agentRuntimeArn,
          RUNTIME_VERSION: version,
          RUNTIME_QUALIFIER: qualifier,
          IMAGE_DIGEST: run.to,
        });
        if (!smoke.ok) throw new OperationFailedError(`smoke command exited ${smoke.code ?? 'abnormally'}`, 'SMOKE_FAILED');
        break;
      }
      case 'labels': {
        const current = state.pointerVersion ?? run.from.pointerVersion;
        await moveLabels(ctx.clients.ssm, ctx.platform.imagePointerParameter, current, state.pointerWritten ? run.previousLabelVersion : undefined);
        break;
      }
      case 'audit': {
        await recordAudit(ctx, {
          action: step.action,
          from_digest: run.from.digest,
          to_digest: run.to,
          pointer_version: state.pointerVersion ?? run.from.pointerVersion,
          runtime_version: state.liveVersion ?? state.newVersion ?? run.from.liveVersion,
          ...run.audit,
          path: run.path,
          live_moved: state.liveMoved,
          live_version: state.liveVersion ?? run.from.liveVersion,
          // A check that failed threw before here: one that ran, passed (promotion needs it).
          smoke: state.executed.some((e) => e.kind === 'smoke' || e.kind === 'canary_check') ? 'passed' : 'skipped',
          outcome: step.outcome,
        });
        break;
      }
    }
    state.executed.push(step);
  }
  return state;
}

export { describeError };
