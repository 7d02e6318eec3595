/**
 * Named AgentCore runtime endpoints (`live`, `canary`): which version each serves, moving one to a
 * version and waiting until it serves it. An endpoint moves asynchronously: after
 * UpdateAgentRuntimeEndpoint its `targetVersion` is the new version while `liveVersion` still
 * names the old one, until the endpoint is READY again.
 */
import {
  GetAgentRuntimeEndpointCommand,
  UpdateAgentRuntimeEndpointCommand,
  paginateListAgentRuntimeVersions,
  type AgentRuntime,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { NotFoundError, OperationFailedError } from '../errors';
import { getRuntime, liveDigest, newClientToken, poll, requiresMmdsV2, type WaitOptions } from './agent-runtime';
import type { RuntimeContext } from './context';

export interface EndpointView {
  name: string;
  arn?: string;
  status?: string;
  liveVersion?: string;
  targetVersion?: string;
}

/** The endpoint names of this platform (from the platform document). */
export function endpointNames(ctx: RuntimeContext): { live: string; canary: string } {
  return { live: ctx.platform.liveEndpoint, canary: ctx.platform.canaryEndpoint };
}

export async function getEndpoint(ctx: RuntimeContext, name: string): Promise<EndpointView> {
  try {
    const out = await ctx.clients.agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: ctx.platform.agentRuntimeId, endpointName: name }));
    return { name, arn: out.agentRuntimeEndpointArn, status: out.status, liveVersion: out.liveVersion, targetVersion: out.targetVersion };
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) {
      throw new NotFoundError(
        `runtime ${ctx.platform.agentRuntimeId} has no endpoint "${name}": deploy infra (the stack creates it), or run scripts/bootstrap-local.ts locally`,
        'ENDPOINT_NOT_FOUND',
      );
    }
    throw e;
  }
}

/** READY and serving exactly `version`: the state after a move has finished. */
export function servesVersion(endpoint: EndpointView, version: string): boolean {
  return endpoint.status === 'READY' && endpoint.liveVersion === version && (endpoint.targetVersion === undefined || endpoint.targetVersion === version);
}

/** Points `name` at `version` and waits until its liveVersion is that version and it is READY. */
export async function moveEndpoint(ctx: RuntimeContext, name: string, version: string, opts: WaitOptions): Promise<EndpointView> {
  const before = await getEndpoint(ctx, name);
  if (servesVersion(before, version)) return before;
  // Let a move still in flight settle first: AWS refuses an update while one is running.
  if (before.status === 'UPDATING' || before.status === 'CREATING') {
    await waitEndpointSettled(ctx, name, opts);
    const settled = await getEndpoint(ctx, name);
    if (servesVersion(settled, version)) return settled;
  }
  await ctx.clients.agentcore.send(
    new UpdateAgentRuntimeEndpointCommand({
      agentRuntimeId: ctx.platform.agentRuntimeId,
      endpointName: name,
      agentRuntimeVersion: version,
      clientToken: newClientToken(),
    }),
  );
  return waitEndpointServes(ctx, name, version, opts);
}

export async function waitEndpointServes(ctx: RuntimeContext, name: string, version: string, opts: WaitOptions): Promise<EndpointView> {
  return poll(
    opts,
    () => getEndpoint(ctx, name),
    (ep, elapsed) => {
      if (servesVersion(ep, version)) return true;
      if (ep.status?.endsWith('_FAILED')) throw new OperationFailedError(`endpoint ${name} ended ${ep.status} moving to version ${version}`, 'ENDPOINT_FAILED');
      if (elapsed >= opts.timeoutMs) {
        throw new OperationFailedError(
          `endpoint ${name} still ${ep.status} (live version ${ep.liveVersion}, target ${ep.targetVersion}) after ${Math.round(elapsed / 1000)} s`,
          'ENDPOINT_TIMEOUT',
        );
      }
      return false;
    },
    (ep) => `${ep.status} live=${ep.liveVersion} target=${ep.targetVersion}`,
  );
}

async function waitEndpointSettled(ctx: RuntimeContext, name: string, opts: WaitOptions): Promise<void> {
  await poll(
    opts,
    () => getEndpoint(ctx, name),
    (ep, elapsed) => (ep.status !== 'UPDATING' && ep.status !== 'CREATING' ? true : elapsed >= opts.timeoutMs),
    (ep) => ep.status,
  );
}

/** Every version of the runtime AgentCore still keeps, newest first. */
export async function listVersions(ctx: RuntimeContext): Promise<AgentRuntime[]> {
  // ListAgentRuntimeVersions pages hold at most 100.
  const all = await allItems(
    paginateListAgentRuntimeVersions({ client: ctx.clients.agentcore, pageSize: 100 }, { agentRuntimeId: ctx.platform.agentRuntimeId }),
    (page) => page.agentRuntimes,
  );
  return all.sort((a, b) => Number(b.agentRuntimeVersion ?? 0) - Number(a.agentRuntimeVersion ?? 0));
}

/**
 * The digest a version serves (and whether it requires MMDSv2, without which AgentCore refuses to
 * invoke it), or undefined when AgentCore no longer has that version.
 */
export async function versionDigest(ctx: RuntimeContext, version: string): Promise<{ digest?: string; status?: string; mmdsv2: boolean } | undefined> {
  try {
    const v = await getRuntime(ctx, version);
    if (v.agentRuntimeVersion !== version) return undefined;
    return { digest: liveDigest(v), status: v.status, mmdsv2: requiresMmdsV2(v) };
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException', 'ValidationException')) return undefined;
    throw e;
  }
}

/**
 * The digest `live` serves in an environment: its endpoint's live version, that version's image.
 * Reads only the runtime and the endpoint (not the pointer): all a promotion's source grant allows.
 */
export async function servedDigest(ctx: RuntimeContext): Promise<string | undefined> {
  const live = await getEndpoint(ctx, endpointNames(ctx).live);
  return live.liveVersion ? (await versionDigest(ctx, live.liveVersion))?.digest : undefined;
}

/**
 * Fast rollback's question: a version AgentCore still keeps that is READY and serves `digest`
 * (newest first, at most `limit` reads). Undefined: none, so the rollback is a forward publish.
 */
export async function findVersionServing(ctx: RuntimeContext, digest: string, limit = 20): Promise<string | undefined> {
  const versions = await listVersions(ctx);
  for (const v of versions.slice(0, limit)) {
    if (!v.agentRuntimeVersion) continue;
    const served = await versionDigest(ctx, v.agentRuntimeVersion);
    if (served?.digest === digest && served.status === 'READY') return v.agentRuntimeVersion;
  }
  return undefined;
}
