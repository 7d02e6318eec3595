/**
 * The plan is the program: a list of typed steps, computed (pure) from what was observed, that
 * the applier (apply.ts) runs exactly — so `--dry-run` prints what a real run then does. A
 * publish never moves `live` before the new version passed its smoke on `canary`; a failure
 * before `live` moves gets a restore plan, run by the same applier.
 */
import type { AuditOutcome } from './audit';
import type { GoldenTaskSpec } from './release-check';

/** A version known when planning, or the one the plan's `update_runtime` step creates. */
export type VersionRef = { existing: string } | 'new';

export type EndpointRole = 'live' | 'canary';

export type PlanStep =
  /**
   * Promotion: the image, by digest, from another environment's ECR repository into this one's,
   * unchanged (same digest), tagged so the repository's untagged-image expiry never removes it.
   */
  | { kind: 'copy_image'; digest: string; from: { env: string; repository: string }; into: string; tag: string }
  /** A new SSM version of the pointer with this digest. */
  | { kind: 'write_pointer'; digest: string }
  /** UpdateAgentRuntime with the updatable members of the latest configuration and this image (a new version). */
  | { kind: 'update_runtime'; digest: string }
  /** GetAgentRuntime of that exact version until READY; `*_FAILED` or the timeout fail. */
  | { kind: 'wait_version'; version: VersionRef }
  /** UpdateAgentRuntimeEndpoint, then until the endpoint is READY with liveVersion = that version. */
  | { kind: 'move_endpoint'; endpoint: EndpointRole; version: VersionRef }
  /**
   * The platform's own canary check through `endpoint` (canary-check.ts): the version serves the
   * digest being published, an invocation is accepted, and the golden task (when given) passes.
   */
  | { kind: 'canary_check'; endpoint: EndpointRole; version: VersionRef; golden?: GoldenTaskSpec }
  /** The operator's smoke command, invoking `endpoint` (RUNTIME_QUALIFIER) on that version. */
  | { kind: 'smoke'; endpoint: EndpointRole; version: VersionRef; cmd: string }
  /** Pointer labels: `live` on the version this run wrote (or the current one), `previous` on the one it replaced. */
  | { kind: 'labels' }
  /** The audit event closing the plan. */
  | { kind: 'audit'; action: RuntimeAction; outcome: AuditOutcome };

export type RuntimeAction = 'publish' | 'rollback' | 'restore' | 'reapply';

/** fast: an existing version already serves the digest (no UpdateAgentRuntime, no container start). */
export type MovePath = 'fast' | 'forward' | 'none';

/** What planning saw. */
export interface Observation {
  pointer: { digest: string; version: number };
  /** The runtime's latest version (what DEFAULT follows). */
  latest: { version?: string; status?: string; digest?: string };
  /** The `live` endpoint and the digest its liveVersion serves. */
  live: { liveVersion?: string; targetVersion?: string; status?: string; digest?: string };
  /** Whether the platform's ECR repository holds the image; observed only when a promotion could copy it there. */
  image?: { inRepository: boolean };
}

export interface RuntimePlan {
  env: string;
  action: RuntimeAction;
  runtimeId: string;
  /** The version `live` serves when planning. */
  runtimeVersion?: string;
  runtimeStatus?: string;
  pointerDigest: string;
  pointerVersion: number;
  /** The digest `live` serves when planning. */
  liveDigest?: string;
  latestVersion?: string;
  to: string;
  noop: boolean;
  path: MovePath;
  steps: PlanStep[];
  /** The steps in words, in order (also what `--dry-run` prints). */
  writes: string[];
}

export const versionText = (v: VersionRef) => (v === 'new' ? 'the new version' : `version ${v.existing}`);
const short = (d: string) => `${d.slice(0, 19)}…`;

export function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'copy_image':
      return `copy ${step.digest} from ECR ${step.from.repository} into ${step.into} (same digest, tag ${step.tag}; missing blobs only)`;
    case 'write_pointer':
      return `write pointer → ${step.digest} (new SSM version)`;
    case 'update_runtime':
      return `UpdateAgentRuntime: containerUri → …@${short(step.digest)} (creates a new version)`;
    case 'wait_version':
      return `wait until ${versionText(step.version)} is READY`;
    case 'move_endpoint':
      return `move endpoint ${step.endpoint} → ${versionText(step.version)} (wait until it serves it)`;
    case 'canary_check':
      return `canary check ${versionText(step.version)} through ${step.endpoint}: serves the digest, invocation accepted, ${
        step.golden
          ? `golden task on ${step.golden.repo} (≤ ${step.golden.limits.max_turns} turns, ≤ $${step.golden.limits.max_cost_usd}, ≤ ${step.golden.limits.max_duration_seconds} s, ${step.golden.limits.outcome})`
          : 'no golden task'
      }`;
    case 'smoke':
      return `smoke ${versionText(step.version)} through ${step.endpoint}: ${step.cmd}`;
    case 'labels':
      return 'pointer labels live/previous';
    case 'audit':
      return `audit: ${step.action} ${step.outcome}`;
  }
}

export function isNoop(o: Observation, to: string): boolean {
  return (
    o.pointer.digest === to &&
    o.live.digest === to &&
    o.live.status === 'READY' &&
    o.live.liveVersion !== undefined &&
    (o.live.targetVersion ?? o.live.liveVersion) === o.live.liveVersion
  );
}

export interface PlanInput {
  env: string;
  action: Exclude<RuntimeAction, 'restore'>;
  runtimeId: string;
  observed: Observation;
  to: string;
  smokeCmd?: string;
  /** The platform's canary check (publish's default): runs before the smoke command, on `canary`. */
  canaryCheck?: { golden?: GoldenTaskSpec };
  /** A READY version that already serves `to` (rollback's fast path), found by the caller. */
  existingVersion?: string;
  /** Promotion: where the image comes from when the repository lacks it (`observed.image`). */
  copyFrom?: { env: string; repository: string; into: string; tag: string };
}

/**
 * Pure: the steps that take the observed state to `to`. The version to serve is, in order: an
 * existing version that serves `to` (fast), the latest version when it already serves `to` and is
 * READY, else a new one from UpdateAgentRuntime. With the canary check or a smoke command the
 * candidate goes to `canary` and is checked there (the platform's check first); `live` moves last.
 */
export function planMove(input: PlanInput): RuntimePlan {
  const o = input.observed;
  const base = {
    env: input.env,
    action: input.action,
    runtimeId: input.runtimeId,
    runtimeVersion: o.live.liveVersion,
    runtimeStatus: o.live.status,
    pointerDigest: o.pointer.digest,
    pointerVersion: o.pointer.version,
    liveDigest: o.live.digest,
    latestVersion: o.latest.version,
    to: input.to,
  };
  const copy = input.copyFrom && o.image?.inRepository === false ? input.copyFrom : undefined;
  // A re-apply also brings live onto the latest configuration (an infra change made a new version).
  const current = !copy && isNoop(o, input.to) && (input.action !== 'reapply' || (o.latest.version === o.live.liveVersion && o.latest.status === 'READY'));
  if (current) return { ...base, noop: true, path: 'none', steps: [], writes: [] };
  const steps: PlanStep[] = [];
  // First: nothing else may point at an image the repository does not hold yet.
  if (copy) steps.push({ kind: 'copy_image', digest: input.to, from: { env: copy.env, repository: copy.repository }, into: copy.into, tag: copy.tag });
  if (o.pointer.digest !== input.to) steps.push({ kind: 'write_pointer', digest: input.to });
  let version: VersionRef;
  let path: MovePath;
  if (input.existingVersion) {
    version = { existing: input.existingVersion };
    path = 'fast';
  } else if (o.latest.digest === input.to && o.latest.status === 'READY' && o.latest.version) {
    version = { existing: o.latest.version };
    path = 'fast';
  } else {
    steps.push({ kind: 'update_runtime', digest: input.to }, { kind: 'wait_version', version: 'new' });
    version = 'new';
    path = 'forward';
  }
  if (input.canaryCheck || input.smokeCmd) steps.push({ kind: 'move_endpoint', endpoint: 'canary', version });
  if (input.canaryCheck)
    steps.push({ kind: 'canary_check', endpoint: 'canary', version, ...(input.canaryCheck.golden ? { golden: input.canaryCheck.golden } : {}) });
  if (input.smokeCmd) steps.push({ kind: 'smoke', endpoint: 'canary', version, cmd: input.smokeCmd });
  steps.push(
    { kind: 'move_endpoint', endpoint: 'live', version },
    { kind: 'labels' },
    { kind: 'audit', action: input.action, outcome: input.action === 'reapply' ? 'repaired' : 'succeeded' },
  );
  return { ...base, noop: false, path, steps, writes: steps.map(describeStep) };
}

/** What a failed run had done before it failed: the input of its restore plan. */
export interface FailedRun {
  restoreTo: string;
  pointerWritten: boolean;
  /** An UpdateAgentRuntime was sent (the latest version may now serve the failed image). */
  runtimeUpdated: boolean;
  canaryMoved: boolean;
  /** The version `live` serves (it never moved). */
  liveVersion?: string;
}

/**
 * Pure: put the pointer back, make the runtime's latest version serve the good image again (so
 * DEFAULT and the next infra apply see it), point `canary` back at what `live` serves. `live`
 * itself never moved, so it is not touched. A promoted image that was copied stays in the
 * repository: unused and tagged, it harms nothing, and a retry finds it there.
 */
export function planRestore(failed: FailedRun): PlanStep[] {
  const steps: PlanStep[] = [];
  if (failed.pointerWritten) steps.push({ kind: 'write_pointer', digest: failed.restoreTo });
  if (failed.runtimeUpdated) steps.push({ kind: 'update_runtime', digest: failed.restoreTo }, { kind: 'wait_version', version: 'new' });
  if (failed.canaryMoved && failed.liveVersion) steps.push({ kind: 'move_endpoint', endpoint: 'canary', version: { existing: failed.liveVersion } });
  steps.push({ kind: 'labels' }, { kind: 'audit', action: 'restore', outcome: 'succeeded' });
  return steps;
}
