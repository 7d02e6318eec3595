/** Drift report: pointer ↔ live runtime artifact (↔ Terraform state when given). */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors';
import { parseContainerUri } from '../platform/runtime-spec';
import { getRuntime, liveDigest } from './agent-runtime';
import { listAudit, type RuntimeAuditEvent } from './audit';
import type { RuntimeContext } from './context';
import { readPointer } from './pointer';

export interface TerraformView {
  pointerDigest?: string;
  runtimeDigest?: string;
}

export interface RuntimeStatusReport {
  env: string;
  inSync: boolean;
  pointer: { digest: string; version: number };
  runtime: { id: string; arn: string; version?: string; status?: string; digest?: string };
  terraform?: TerraformView;
  lastAudit?: RuntimeAuditEvent;
  drift: string[];
  fix?: string;
}

type Resource = { type?: string; values?: Record<string, unknown>; instances?: { attributes?: Record<string, unknown> }[] };

/** Reads raw state (`resources[].instances[].attributes`) or `terraform show -json` (`values.root_module`). */
export function parseTerraformState(json: unknown, pointerName: string): TerraformView {
  const doc = json as { resources?: Resource[]; values?: { root_module?: { resources?: Resource[]; child_modules?: { resources?: Resource[] }[] } } };
  const resources: Record<string, unknown>[] = [];
  for (const r of doc.resources ?? []) for (const i of r.instances ?? []) if (i.attributes) resources.push({ __type: r.type, ...i.attributes });
  const root = doc.values?.root_module;
  for (const r of [...(root?.resources ?? []), ...(root?.child_modules ?? []).flatMap((m) => m.resources ?? [])]) if (r.values) resources.push({ __type: r.type, ...r.values });
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
export function assessDrift(env: string, pointer: string, runtime: { digest?: string; status?: string }, terraform?: TerraformView): { drift: string[]; fix?: string } {
  const drift: string[] = [];
  let fix: string | undefined;
  if (runtime.digest !== pointer) {
    drift.push(`runtime serves ${runtime.digest ?? 'no digest-pinned image'} but the pointer says ${pointer}`);
    fix = `tsx scripts/publish-runtime.ts --env ${env} --image-digest ${pointer}`;
  } else if (runtime.status !== 'READY') {
    drift.push(`runtime is ${runtime.status}, not READY`);
    fix = `tsx scripts/publish-runtime.ts --env ${env} --image-digest ${pointer}`;
  }
  if (terraform?.pointerDigest && terraform.pointerDigest !== pointer) {
    drift.push(`Terraform state has pointer ${terraform.pointerDigest}, SSM has ${pointer}`);
    fix ??= 'npx cdktf deploy infra (refreshes state; the pointer value is ignored by Terraform, so nothing is reverted)';
  }
  if (terraform?.runtimeDigest && terraform.runtimeDigest !== runtime.digest) {
    drift.push(`Terraform state has runtime image ${terraform.runtimeDigest}, live runtime has ${runtime.digest}`);
    fix ??= 'npx cdktf deploy infra (refreshes state; the artifact is ignored by Terraform, and the image-pointer custom resource re-applies the pointer)';
  }
  return { drift, fix };
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
  const [pointer, live, audit] = await Promise.all([readPointer(ctx.clients.ssm, ctx.platform.imagePointerParameter), getRuntime(ctx), listAudit(ctx, 1)]);
  const runtime = { id: ctx.platform.agentRuntimeId, arn: ctx.platform.agentRuntimeArn, version: live.agentRuntimeVersion, status: live.status, digest: liveDigest(live) };
  const { drift, fix } = assessDrift(ctx.env, pointer.digest, runtime, terraform);
  return { env: ctx.env, inSync: drift.length === 0, pointer, runtime, terraform, lastAudit: audit[0], drift, fix };
}
