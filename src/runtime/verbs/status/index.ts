/**
 * status: the pointer, the image `live` serves, the runtime's latest version (what DEFAULT
 * follows) and Terraform's state when given; which side differs and the one command that repairs it.
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../../errors';
import { listAudit, type RuntimeAuditEvent } from '../../audit';
import type { RuntimeContext } from '../../context';
import { getRuntime, requiresMmdsV2 } from '../../agent-runtime';
import { endpointNames, getEndpoint, versionDigest } from '../../endpoints';
import { observe } from '../../move';
import { TaskStore } from '../../../tasks/store';
import { assessDrift, assessVersions, auditedVersions, parseTerraformState, type ServedVersions, type TerraformView } from './drift';

export * from './options';
export * from './drift';

export interface RuntimeStatusReport {
  env: string;
  inSync: boolean;
  pointer: { digest: string; version: number };
  /** What `live` serves: the endpoint tasks invoke. `version`/`status`/`digest` are the endpoint's. */
  runtime: { id: string; arn: string; endpoint: string; version?: string; targetVersion?: string; status?: string; digest?: string };
  /** The runtime's latest version, which AgentCore's DEFAULT endpoint follows (nothing user-facing invokes it). */
  latest: { version?: string; status?: string; digest?: string };
  terraform?: TerraformView;
  /** The versions live, canary and DEFAULT serve: MMDSv2 on each, and whether the latest is ours. */
  versions: ServedVersions & { foreignLatest: boolean };
  lastAudit?: RuntimeAuditEvent;
  drift: string[];
  /** Differences that are expected and harmless, e.g. DEFAULT after a fast rollback. */
  notes: string[];
  fix?: string;
  /** Tasks still running on a version other than the one `live` serves now (they keep their session until they end). */
  sessions: RunningSession[];
}

export interface RunningSession {
  task_id: string;
  repo: string;
  version?: string;
  qualifier?: string;
  started_at?: string;
}

/** Pure: the running tasks whose session is on another version than `liveVersion` (the ones a cutover must not forget). */
export function sessionsOffLive(
  running: readonly { task_id: string; repo: string; runtime_version?: string; runtime_qualifier?: string; started_at?: string }[],
  liveVersion: string | undefined,
): RunningSession[] {
  return running
    .filter((t) => t.runtime_version !== undefined && t.runtime_version !== liveVersion)
    .map((t) => ({ task_id: t.task_id, repo: t.repo, version: t.runtime_version, qualifier: t.runtime_qualifier, started_at: t.started_at }));
}

/** RUNNING task rows (the status listing's pages); none when the context has no tasks table (the custom resource). */
export async function runningTasks(ctx: RuntimeContext) {
  const table = (ctx.platform as { tables: { tasks?: string } }).tables.tasks;
  if (!table) return [];
  const store = new TaskStore(ctx.clients.doc, table);
  const all = [];
  let next_token: string | undefined;
  do {
    const page = await store.list({ status: 'RUNNING', limit: 100, ...(next_token ? { next_token } : {}) });
    all.push(...page.tasks);
    next_token = page.next_token;
  } while (next_token);
  return all;
}

export async function runtimeStatus(ctx: RuntimeContext, opts: { terraformState?: string } = {}): Promise<RuntimeStatusReport> {
  let terraform: TerraformView | undefined;
  if (opts.terraformState) {
    try {
      terraform = parseTerraformState(JSON.parse(readFileSync(opts.terraformState, 'utf8')), ctx.platform.imagePointerParameter);
    } catch (e) {
      throw new ValidationError(`cannot read Terraform state ${opts.terraformState}: ${(e as Error).message}`, 'BAD_STATE_FILE');
    }
  }
  // The audit names every version our operations made; 1000 events reach far past the newest version.
  const [o, audit, versions, running] = await Promise.all([observe(ctx), listAudit(ctx, 1000), servedVersions(ctx), runningTasks(ctx)]);
  const runtime = {
    id: ctx.platform.agentRuntimeId,
    arn: ctx.platform.agentRuntimeArn,
    endpoint: ctx.platform.liveEndpoint,
    version: o.live.liveVersion,
    targetVersion: o.live.targetVersion,
    status: o.live.status,
    digest: o.live.digest,
  };
  const digests = assessDrift(ctx.env, o.pointer.digest, runtime, terraform, o.latest);
  const served = { ...versions, ours: audit.length ? auditedVersions(audit) : undefined };
  const own = assessVersions(ctx.env, served);
  // A foreign latest version is drift, not the harmless DEFAULT lag of a fast rollback.
  const notes = own.foreignLatest ? digests.notes.filter((n) => !n.startsWith('DEFAULT')) : digests.notes;
  const drift = [...digests.drift, ...own.drift];
  const sessions = sessionsOffLive(running, o.live.liveVersion);
  const byVersion = new Map<string, number>();
  for (const x of sessions) byVersion.set(x.version ?? '-', (byVersion.get(x.version ?? '-') ?? 0) + 1);
  for (const [version, count] of byVersion)
    notes.push(`${count} task(s) still running on version ${version}, not live's ${o.live.liveVersion ?? '-'}: they keep their session until they end`);
  return {
    env: ctx.env,
    inSync: drift.length === 0,
    pointer: o.pointer,
    runtime,
    latest: o.latest,
    terraform,
    versions: { latest: versions.latest, live: versions.live, canary: versions.canary, foreignLatest: own.foreignLatest },
    lastAudit: audit[0],
    drift,
    notes,
    fix: digests.fix ?? own.fix,
    sessions,
  };
}

/** The versions the latest, `live` and `canary` are on, with MMDSv2 for each. */
async function servedVersions(ctx: RuntimeContext): Promise<Omit<ServedVersions, 'ours'>> {
  const names = endpointNames(ctx);
  const [latest, live, canary] = await Promise.all([getRuntime(ctx), getEndpoint(ctx, names.live), getEndpoint(ctx, names.canary).catch(() => undefined)]);
  const facts = async (version?: string) => {
    if (!version) return undefined;
    if (version === latest.agentRuntimeVersion) return { version, mmdsv2: requiresMmdsV2(latest) };
    const v = await versionDigest(ctx, version);
    return { version, ...(v ? { mmdsv2: v.mmdsv2 } : {}) };
  };
  const [liveFacts, canaryFacts] = await Promise.all([facts(live.liveVersion), facts(canary?.liveVersion)]);
  return { latest: { version: latest.agentRuntimeVersion, mmdsv2: requiresMmdsV2(latest) }, live: liveFacts, canary: canaryFacts };
}
