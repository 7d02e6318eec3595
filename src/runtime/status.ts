/**
 * status: the pointer, the image `live` serves, the runtime's latest version (what DEFAULT
 * follows) and Terraform's state when given; which side differs and the one command that repairs it.
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors';
import { parseContainerUri } from '../platform/runtime-spec';
import type { RuntimeAuditEvent } from './audit';
import type { RuntimeContext } from './context';
import type { FlagDef } from './flags';

export interface TerraformView {
  pointerDigest?: string;
  runtimeDigest?: string;
}

export interface RuntimeStatusReport {
  env: string;
  inSync: boolean;
  pointer: { digest: string; version: number };
  /** What `live` serves: the endpoint tasks invoke. `version`/`status`/`digest` are the endpoint's. */
  runtime: { id: string; arn: string; endpoint: string; version?: string; targetVersion?: string; status?: string; digest?: string };
  /** The runtime's latest version, which AgentCore's DEFAULT endpoint follows (nothing user-facing invokes it). */
  latest: { version?: string; status?: string; digest?: string };
  terraform?: TerraformView;
  lastAudit?: RuntimeAuditEvent;
  drift: string[];
  /** Differences that are expected and harmless, e.g. DEFAULT after a fast rollback. */
  notes: string[];
  fix?: string;
}

export const STATUS_DESCRIPTION =
  'Compare the image pointer, what the live endpoint serves, the latest runtime version (and Terraform state, if given); exit 3 on drift';
export const STATUS_FLAGS: readonly FlagDef[] = [
  { flags: '--terraform-state <file>', description: 'terraform.tfstate or `terraform show -json` output to compare too' },
];
export const STATUS_EXAMPLES = ['tsx scripts/runtime-status.ts --env dev', 'bgagent runtime status --env prod --terraform-state show.json --json'];

type Resource = { type?: string; values?: Record<string, unknown>; instances?: { attributes?: Record<string, unknown> }[] };

/** Reads raw state (`resources[].instances[].attributes`) or `terraform show -json` (`values.root_module`). */
export function parseTerraformState(json: unknown, pointerName: string): TerraformView {
  const doc = json as { resources?: Resource[]; values?: { root_module?: { resources?: Resource[]; child_modules?: { resources?: Resource[] }[] } } };
  const resources: Record<string, unknown>[] = [];
  for (const r of doc.resources ?? []) for (const i of r.instances ?? []) if (i.attributes) resources.push({ __type: r.type, ...i.attributes });
  const root = doc.values?.root_module;
  for (const r of [...(root?.resources ?? []), ...(root?.child_modules ?? []).flatMap((m) => m.resources ?? [])])
    if (r.values) resources.push({ __type: r.type, ...r.values });
  const view: TerraformView = {};
  for (const r of resources) {
    if (r.__type === 'aws_ssm_parameter' && r.name === pointerName) view.pointerDigest = String(r.insecure_value ?? r.value ?? '') || undefined;
    if (r.__type === 'aws_bedrockagentcore_agent_runtime') {
      const uri = JSON.stringify(r.agent_runtime_artifact ?? '').match(/"container_uri":"([^"]+)"/)?.[1];
      view.runtimeDigest = uri ? parseContainerUri(uri)?.digest : undefined;
    }
  }
  return view;
}

/** Pure: what differs and the one command that fixes it. */
export function assessDrift(
  env: string,
  pointer: string,
  runtime: { digest?: string; status?: string; version?: string; targetVersion?: string },
  terraform?: TerraformView,
  latest?: { version?: string; status?: string; digest?: string },
): { drift: string[]; notes: string[]; fix?: string } {
  const drift: string[] = [];
  const notes: string[] = [];
  let fix: string | undefined;
  // Publishing the pointer's digest again makes live serve it (a no-op where it already does).
  const repair = `tsx scripts/publish-runtime.ts --env ${env} --image-digest ${pointer}`;
  if (runtime.digest !== pointer) {
    drift.push(`runtime serves ${runtime.digest ?? 'no digest-pinned image'} on endpoint live but the pointer says ${pointer}`);
    fix = repair;
  } else if (runtime.status !== 'READY') {
    drift.push(`live endpoint is ${runtime.status}, not READY`);
    fix = repair;
  } else if (runtime.targetVersion !== undefined && runtime.targetVersion !== runtime.version) {
    drift.push(`live endpoint is moving: serves version ${runtime.version}, target ${runtime.targetVersion}`);
    fix = repair;
  }
  if (latest?.digest && latest.digest !== pointer) {
    notes.push(
      `DEFAULT (latest version ${latest.version}) serves ${latest.digest}, not the pointer's image: expected after a fast rollback or a failed publish's restore in progress; nothing user-facing invokes DEFAULT, and the next publish replaces it`,
    );
  }
  if (terraform?.pointerDigest && terraform.pointerDigest !== pointer) {
    drift.push(`Terraform state has pointer ${terraform.pointerDigest}, SSM has ${pointer}`);
    fix ??= 'npx cdktf deploy infra (refreshes state; the pointer value is ignored by Terraform, so nothing is reverted)';
  }
  if (terraform?.runtimeDigest && terraform.runtimeDigest !== (latest?.digest ?? runtime.digest)) {
    drift.push(`Terraform state has runtime image ${terraform.runtimeDigest}, the runtime's latest version has ${latest?.digest ?? runtime.digest}`);
    fix ??= 'npx cdktf deploy infra (refreshes state; the artifact is ignored by Terraform, and the image-pointer custom resource re-applies the pointer)';
  }
  return { drift, notes, fix };
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
  const [{ observe }, { listAudit }] = await Promise.all([import('./move'), import('./audit')]);
  const [o, audit] = await Promise.all([observe(ctx), listAudit(ctx, 1)]);
  const runtime = {
    id: ctx.platform.agentRuntimeId,
    arn: ctx.platform.agentRuntimeArn,
    endpoint: ctx.platform.liveEndpoint,
    version: o.live.liveVersion,
    targetVersion: o.live.targetVersion,
    status: o.live.status,
    digest: o.live.digest,
  };
  const { drift, notes, fix } = assessDrift(ctx.env, o.pointer.digest, runtime, terraform, o.latest);
  return { env: ctx.env, inSync: drift.length === 0, pointer: o.pointer, runtime, latest: o.latest, terraform, lastAudit: audit[0], drift, notes, fix };
}
