/** Pure: what Terraform's state says, and which side differs from the pointer (with the one command that repairs it). */
import { parseContainerUri } from '../../../platform/runtime-spec';

export interface TerraformView {
  pointerDigest?: string;
  runtimeDigest?: string;
}

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

/** One runtime version as status sees it: its number and whether it requires MMDSv2. */
export interface VersionFacts {
  version?: string;
  /** metadataConfiguration.requireMMDSV2 of that version's configuration. */
  mmdsv2?: boolean;
}

export interface ServedVersions {
  /** The runtime's latest version (what DEFAULT follows and the next update builds on). */
  latest?: VersionFacts;
  /** The versions the `live` and `canary` endpoints serve. */
  live?: VersionFacts;
  canary?: VersionFacts;
  /** Every version an operation of ours made or served (the audit); undefined when unknown (no events). */
  ours?: ReadonlySet<string>;
}

/** The one command that brings live and canary onto an MMDSv2 version of ours, recorded in the audit. */
export const reapplyFix = (env: string) => `bgagent runtime reapply --env ${env}`;

/**
 * Pure: drift in the versions themselves, which the digests cannot show.
 * - A served version (live, canary) without MMDSv2: AgentCore refuses to invoke it since
 *   2026-06-30 (AgentCore Runtime troubleshooting, "This runtime is not MMDSv2-enabled").
 * - A latest version no operation of ours made (none in the audit): someone updated the runtime
 *   outside the pipeline (console, CDK hotswap, a script). It is not a fast rollback's DEFAULT lag:
 *   a fast rollback makes no version, so the latest is then still one of ours.
 */
export function assessVersions(env: string, v: ServedVersions): { drift: string[]; foreignLatest: boolean; fix?: string } {
  const drift: string[] = [];
  for (const [endpoint, facts] of [
    ['live', v.live],
    ['canary', v.canary],
  ] as const) {
    if (facts?.version && facts.mmdsv2 === false)
      drift.push(
        `version ${facts.version} served by endpoint ${endpoint} is not MMDSv2-enabled (metadataConfiguration.requireMMDSV2): AgentCore refuses to invoke it`,
      );
  }
  const latest = v.latest?.version;
  const foreignLatest = latest !== undefined && v.ours !== undefined && v.ours.size > 0 && !v.ours.has(latest);
  if (foreignLatest)
    drift.push(
      `runtime version ${latest} (the latest) was made outside the pipeline: no operation in the audit made it (a console edit, CDK hotswap or script?); ` +
        'the next publish would build on its configuration',
    );
  return { drift, foreignLatest, ...(drift.length ? { fix: reapplyFix(env) } : {}) };
}

/** The versions the audit events name: the ones our operations made or moved an endpoint to. */
export function auditedVersions(events: readonly { runtime_version?: string; live_version?: string }[]): Set<string> {
  const ours = new Set<string>();
  for (const e of events) {
    if (e.runtime_version) ours.add(e.runtime_version);
    if (e.live_version) ours.add(e.live_version);
  }
  return ours;
}
