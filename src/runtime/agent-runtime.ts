/** The live AgentCore runtime: read, update with only the artifact changed, wait for READY. */
import { createHash } from 'node:crypto';
import {
  GetAgentRuntimeCommand,
  UpdateAgentRuntimeCommand,
  type GetAgentRuntimeCommandOutput,
  type UpdateAgentRuntimeCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { OperationFailedError } from '../errors';
import { parseContainerUri } from '../platform/runtime-spec';
import type { RuntimeContext } from './context';

/** Fields GetAgentRuntime returns that UpdateAgentRuntime does not take. */
const READ_ONLY = new Set([
  '$metadata',
  'agentRuntimeArn',
  'agentRuntimeName',
  'agentRuntimeVersion',
  'status',
  'createdAt',
  'lastUpdatedAt',
  'workloadIdentityDetails',
  'failureReason',
]);

export type LiveRuntime = GetAgentRuntimeCommandOutput;

export function liveDigest(runtime: LiveRuntime): string | undefined {
  const uri = runtime.agentRuntimeArtifact?.containerConfiguration?.containerUri;
  return uri ? parseContainerUri(uri)?.digest : undefined;
}

/**
 * UpdateAgentRuntime replaces the whole configuration: send back every field the read returned
 * (copied generically, so fields AWS adds later survive), with only the container URI changed.
 */
export function buildUpdateRequest(live: LiveRuntime, containerUri: string, clientToken: string): UpdateAgentRuntimeCommandInput {
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(live)) {
    if (!READ_ONLY.has(key) && value !== undefined) request[key] = value;
  }
  const artifact = (live.agentRuntimeArtifact ?? {}) as Record<string, unknown>;
  const container = (artifact.containerConfiguration ?? {}) as Record<string, unknown>;
  request.agentRuntimeArtifact = { ...artifact, containerConfiguration: { ...container, containerUri } };
  request.clientToken = clientToken;
  return request as unknown as UpdateAgentRuntimeCommandInput;
}

/** Same operation id + target → same token, so a retried request cannot apply twice. */
export function clientTokenFor(operationId: string, digest: string): string {
  return createHash('sha256').update(`${operationId}:${digest}`).digest('hex').slice(0, 48);
}

export async function getRuntime(ctx: RuntimeContext): Promise<LiveRuntime> {
  return ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
}

export async function updateRuntime(ctx: RuntimeContext, live: LiveRuntime, containerUri: string, clientToken: string): Promise<string | undefined> {
  const out = await ctx.clients.agentcore.send(new UpdateAgentRuntimeCommand(buildUpdateRequest(live, containerUri, clientToken)));
  return out.agentRuntimeVersion;
}

export interface WaitOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  sleep?: (ms: number) => Promise<void>;
  onPoll?: (status: string | undefined, elapsedMs: number) => void;
}

/**
 * Polls until READY; `*_FAILED` or the timeout fail. Polls start at a quarter of the interval and
 * double up to it: short updates are seen quickly, and READY is never noticed more than one
 * interval late.
 */
export async function waitReady(ctx: RuntimeContext, opts: WaitOptions): Promise<LiveRuntime> {
  const sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const started = Date.now();
  let interval = Math.max(1, Math.floor(opts.pollIntervalMs / 4));
  for (;;) {
    const live = await getRuntime(ctx);
    const elapsed = Date.now() - started;
    opts.onPoll?.(live.status, elapsed);
    if (live.status === 'READY') return live;
    if (live.status?.endsWith('_FAILED')) {
      throw new OperationFailedError(`runtime ${ctx.platform.agentRuntimeId} ended ${live.status}${live.failureReason ? `: ${live.failureReason}` : ''}`, 'RUNTIME_FAILED');
    }
    if (elapsed >= opts.timeoutMs) {
      throw new OperationFailedError(`runtime still ${live.status} after ${Math.round(elapsed / 1000)} s`, 'RUNTIME_TIMEOUT');
    }
    await sleep(Math.min(interval, Math.max(0, opts.timeoutMs - elapsed)));
    interval = Math.min(interval * 2, opts.pollIntervalMs);
  }
}
