/** The AgentCore runtime: read (a version), update with only the artifact changed, wait for a version READY. */
import { randomUUID } from 'node:crypto';
import {
  GetAgentRuntimeCommand,
  UpdateAgentRuntimeCommand,
  type GetAgentRuntimeCommandOutput,
  type NetworkConfiguration,
  type UpdateAgentRuntimeCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { isAwsError } from '../aws/errors';
import { OperationFailedError } from '../errors';
import { parseContainerUri } from '../platform/runtime-spec';
import type { RuntimeContext } from './context';

export type LiveRuntime = GetAgentRuntimeCommandOutput;

/**
 * The members of UpdateAgentRuntimeRequest we send back from GetAgentRuntime (besides
 * agentRuntimeId, the path, and clientToken). Explicit on purpose: the SDK serializes only the
 * members it knows, so a generic copy both sent read-only fields and silently dropped new ones.
 * test/runtime/update-request.test.ts compares this list with the SDK's request members, so an
 * SDK upgrade that adds one fails until someone decides whether it is copied.
 */
export const UPDATABLE_MEMBERS = [
  'agentRuntimeArtifact',
  'roleArn',
  'networkConfiguration',
  'description',
  'authorizerConfiguration',
  'requestHeaderConfiguration',
  'protocolConfiguration',
  'lifecycleConfiguration',
  'metadataConfiguration',
  'environmentVariables',
  'filesystemConfigurations',
  'capacityProviderConfiguration',
  'platformVersion',
] as const satisfies readonly (keyof UpdateAgentRuntimeCommandInput)[];

/** UpdateAgentRuntimeRequest members that are not configuration: the path id and the idempotency token. */
export const NON_CONFIG_MEMBERS = ['agentRuntimeId', 'clientToken'] as const;

/** Whether a version's configuration requires MMDSv2 (AgentCore invokes no other since 2026-06-30). */
export function requiresMmdsV2(runtime: Pick<LiveRuntime, 'metadataConfiguration'>): boolean {
  return runtime.metadataConfiguration?.requireMMDSV2 === true;
}

export function liveDigest(runtime: Pick<LiveRuntime, 'agentRuntimeArtifact'>): string | undefined {
  const uri = runtime.agentRuntimeArtifact?.containerConfiguration?.containerUri;
  return uri ? parseContainerUri(uri)?.digest : undefined;
}

/**
 * GetAgentRuntime returns `networkModeConfig.requireServiceS3Endpoint`, and AWS refuses it on
 * UpdateAgentRuntime for runtimes created after the May 2026 rollout (botocore model, VpcConfig):
 * only the VPC's subnets and security groups go back. The model cannot say this (the member is in
 * the input shape too), so it is decided here by name.
 */
export function updatableNetwork(network: NetworkConfiguration | undefined): NetworkConfiguration | undefined {
  if (!network) return undefined;
  const vpc = network.networkModeConfig;
  return {
    networkMode: network.networkMode,
    ...(vpc ? { networkModeConfig: { subnets: vpc.subnets, securityGroups: vpc.securityGroups } } : {}),
  };
}

/**
 * Members of UpdateAgentRuntimeRequest (at any depth) whose values are maps: their entries are
 * data, where an empty string is a value (`EnvironmentVariableValue`, `TagValue`: min 0), not an
 * unset member. test/runtime/round-trip.test.ts compares this list with botocore's model.
 */
export const MAP_MEMBERS = ['environmentVariables', 'tags'] as const;

// The SDK's deserializer may build objects without a prototype.
/**
 * Members whose empty form is a value the request must keep: required, and valid empty
 * (ManagedVpcResource.subnetIds: a required list with no minimum). Omitting it would be refused.
 * test/runtime/round-trip.test.ts derives this list from botocore's model.
 */
export const KEEP_EMPTY_MEMBERS = ['subnetIds'] as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);

/**
 * GetAgentRuntime answers an unset optional member in forms its Update refuses: `description: ""`
 * (Description: min 1), and likewise an empty list or an emptied structure (a union with no member
 * set). Omitting the member is what "unset" means in the request (R2: an omitted member is unset in
 * the new version), so these go: an empty string, an empty list, an empty structure, at any depth,
 * except inside maps (MAP_MEMBERS), list items, and required members valid empty (KEEP_EMPTY_MEMBERS). A union member the SDK did not know arrives as
 * `$unknown: [name, value]`; it goes back untouched (the SDK writes it out as `{name: value}`), so
 * AWS gets back the configuration it returned rather than a reset.
 */
export function withoutUnsetForms(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (isPlainObject(item) ? withoutUnsetForms(item) : item));
  if (!isPlainObject(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === '$unknown' || (MAP_MEMBERS as readonly string[]).includes(key)) {
      if (member !== undefined && member !== null) kept[key] = member;
      continue;
    }
    if ((KEEP_EMPTY_MEMBERS as readonly string[]).includes(key) && Array.isArray(member) && member.length === 0) {
      if (member !== undefined && member !== null) kept[key] = member;
      continue;
    }
    const v = withoutUnsetForms(member);
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isPlainObject(v) && Object.keys(v).length === 0) continue;
    kept[key] = v;
  }
  return kept;
}

/** AgentCore Runtime troubleshooting, "This runtime is not MMDSv2-enabled"; RuntimeMetadataConfiguration in the control-plane API reference. */
export const REQUIRED_METADATA = { requireMMDSV2: true } as const;

/**
 * UpdateAgentRuntime replaces the whole configuration: send back every updatable member the read
 * returned, with only the container URI changed. The one builder of that request: publish, its
 * restore, rollback and re-apply all reach it through updateRuntime (apply.ts). What the read has
 * that the request must not carry, decided per case (test/runtime/round-trip.test.ts checks each
 * against botocore's model):
 * - read-only members (ARN, name, version, status, timestamps, failureReason,
 *   workloadIdentityDetails): not in UPDATABLE_MEMBERS, never copied;
 * - `requireServiceS3Endpoint`: dropped (updatableNetwork);
 * - unset optional members in their read forms ("", [], {}): omitted (withoutUnsetForms);
 * - members the SDK does not know: its deserializer drops them from the read, so they cannot go
 *   back, and the new version has them unset (R2). Only an SDK upgrade can carry them; the member
 *   list test in update-request.test.ts fails on that upgrade until they are decided here. Union
 *   members the SDK does not know go back as they came ($unknown).
 * - `metadataConfiguration`: always REQUIRED_METADATA, whatever the read says.
 */
export function buildUpdateRequest(live: LiveRuntime, containerUri: string, clientToken: string): UpdateAgentRuntimeCommandInput {
  const copied: Record<string, unknown> = {};
  for (const member of UPDATABLE_MEMBERS) copied[member] = (live as unknown as Record<string, unknown>)[member];
  copied.networkConfiguration = updatableNetwork(live.networkConfiguration);
  const request = withoutUnsetForms(copied) as Record<string, unknown>;
  // A container artifact only: the image is what publish moves (a code artifact is not ours).
  request.agentRuntimeArtifact = { containerConfiguration: { containerUri } };
  // Since 2026-06-30 AgentCore refuses to invoke a version that does not require MMDSv2, and the
  // Terraform provider cannot set it: every version we create requires it (docs/infra.md).
  request.metadataConfiguration = REQUIRED_METADATA;
  return { agentRuntimeId: live.agentRuntimeId, ...request, clientToken } as UpdateAgentRuntimeCommandInput;
}

/**
 * A token per operation step: the SDK's retries of one call reuse it (same input), but a new
 * publish, restore or re-apply never does — AWS would take it as a replay and do nothing.
 * ClientToken: 33–256 characters of [a-zA-Z0-9-].
 */
export function newClientToken(): string {
  return `abca-${randomUUID()}`;
}

export async function getRuntime(ctx: RuntimeContext, version?: string): Promise<LiveRuntime> {
  return ctx.clients.agentcore.send(
    new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId, ...(version ? { agentRuntimeVersion: version } : {}) }),
  );
}

/** Returns the version the update created (AWS: every update is a new immutable version). */
export async function updateRuntime(ctx: RuntimeContext, live: LiveRuntime, containerUri: string, clientToken: string): Promise<string> {
  const out = await ctx.clients.agentcore.send(
    new UpdateAgentRuntimeCommand({ ...buildUpdateRequest(live, containerUri, clientToken), agentRuntimeId: ctx.platform.agentRuntimeId }),
  );
  if (!out.agentRuntimeVersion) throw new OperationFailedError('UpdateAgentRuntime returned no agentRuntimeVersion', 'RUNTIME_NO_VERSION');
  return out.agentRuntimeVersion;
}

export interface WaitOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  sleep?: (ms: number) => Promise<void>;
  onPoll?: (status: string | undefined, elapsedMs: number) => void;
}

export const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls with a schedule that starts at a quarter of the interval and doubles up to it: short
 * waits are seen quickly, and the end is never noticed more than one interval late.
 */
export async function poll<T>(
  opts: WaitOptions,
  read: () => Promise<T>,
  done: (value: T, elapsedMs: number) => boolean,
  status: (value: T) => string | undefined,
): Promise<T> {
  const sleep = opts.sleep ?? defaultSleep;
  const started = Date.now();
  let interval = Math.max(1, Math.floor(opts.pollIntervalMs / 4));
  for (;;) {
    const value = await read();
    const elapsed = Date.now() - started;
    opts.onPoll?.(status(value), elapsed);
    if (done(value, elapsed)) return value;
    await sleep(Math.min(interval, Math.max(0, opts.timeoutMs - elapsed)));
    interval = Math.min(interval * 2, opts.pollIntervalMs);
  }
}

/**
 * How long a version just created may answer ResourceNotFound before waitReady gives up on it:
 * AgentCore's control plane is eventually consistent, and a fresh version can briefly be
 * invisible to GetAgentRuntime (docs/infra.md, "Eventual consistency").
 */
export const VERSION_NOT_FOUND_GRACE_MS = 30_000;

/**
 * Polls until `version` (default: the latest) is READY; `*_FAILED` or the timeout fail. With a
 * version, the read is GetAgentRuntime of that version: any other version being READY (the one
 * the update replaced) never counts. That version answering ResourceNotFound is tolerated for
 * `notFoundGraceMs` (default VERSION_NOT_FOUND_GRACE_MS, at most the timeout).
 */
export async function waitReady(ctx: RuntimeContext, opts: WaitOptions & { version?: string; notFoundGraceMs?: number }): Promise<LiveRuntime> {
  const what = `runtime ${ctx.platform.agentRuntimeId}${opts.version ? ` version ${opts.version}` : ''}`;
  const grace = Math.min(opts.notFoundGraceMs ?? VERSION_NOT_FOUND_GRACE_MS, opts.timeoutMs);
  // undefined: the version is not visible yet, and waitReady keeps polling (bounded by the grace).
  const read = async (): Promise<LiveRuntime | undefined> => {
    try {
      return await getRuntime(ctx, opts.version);
    } catch (e) {
      // Only a named version can be "not visible yet"; the runtime itself missing is a real error.
      if (opts.version && isAwsError(e, 'ResourceNotFoundException')) return undefined;
      throw e;
    }
  };
  const ready = await poll(
    opts,
    read,
    (live, elapsed) => {
      if (!live) {
        if (elapsed >= grace)
          throw new OperationFailedError(
            `${what} still not found after ${Math.round(elapsed / 1000)} s (GetAgentRuntime: ResourceNotFoundException)`,
            'RUNTIME_TIMEOUT',
          );
        return false;
      }
      const exact = !opts.version || live.agentRuntimeVersion === opts.version;
      if (exact && live.status === 'READY') return true;
      if (exact && live.status?.endsWith('_FAILED')) {
        throw new OperationFailedError(`${what} ended ${live.status}${live.failureReason ? `: ${live.failureReason}` : ''}`, 'RUNTIME_FAILED');
      }
      if (elapsed >= opts.timeoutMs) throw new OperationFailedError(`${what} still ${live.status} after ${Math.round(elapsed / 1000)} s`, 'RUNTIME_TIMEOUT');
      return false;
    },
    (live) => live?.status ?? 'NOT_FOUND',
  );
  return ready!;
}
