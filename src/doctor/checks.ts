/**
 * The doctor's checks as pure functions: each takes what the edges read and decides ok, FAIL or
 * warn, with a short why and, when it fails, the command or action that fixes it.
 */
import { GuardrailsSchema } from '../platform/guardrails';
import { parsePromotionPolicy } from '../platform/promotion-policy';
import type { RoleQuestion, SimAnswer } from './roles';

export type CheckStatus = 'ok' | 'FAIL' | 'warn';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  why: string;
  /** The command or action that repairs it (FAIL, and warn where there is one). */
  fix?: string;
}

const ok = (name: string, why: string): CheckResult => ({ name, status: 'ok', why });
const fail = (name: string, why: string, fix?: string): CheckResult => ({ name, status: 'FAIL', why, ...(fix ? { fix } : {}) });
const warn = (name: string, why: string, fix?: string): CheckResult => ({ name, status: 'warn', why, ...(fix ? { fix } : {}) });

/** What an endpoint serves and whether that version requires MMDSv2 (undefined: could not be read). */
export interface ServedVersion {
  endpoint: string;
  status?: string;
  liveVersion?: string;
  requireMMDSV2?: boolean;
  /** Why it could not be read (a missing endpoint, an access error). */
  error?: string;
}

/**
 * Since 2026-06-30 AgentCore refuses to invoke a version that is not MMDSv2-enabled (AgentCore
 * Runtime troubleshooting, "This runtime is not MMDSv2-enabled"; RuntimeMetadataConfiguration).
 */
export function checkMmds(env: string, served: ServedVersion[]): CheckResult {
  const name = 'mmdsv2';
  const bad = served.filter((s) => s.requireMMDSV2 !== true);
  if (!bad.length) return ok(name, served.map((s) => `${s.endpoint} v${s.liveVersion} requires MMDSv2`).join(', '));
  const why = bad
    .map((s) =>
      s.error
        ? `${s.endpoint}: ${s.error}`
        : s.liveVersion
          ? `${s.endpoint} serves v${s.liveVersion} without requireMMDSV2`
          : `${s.endpoint} serves no version`,
    )
    .join('; ');
  return fail(
    name,
    `${why}: AgentCore refuses to invoke it`,
    `bgagent runtime reapply --env ${env} (or publish again: every version the project creates requires MMDSv2)`,
  );
}

export function checkEndpointsReady(env: string, served: ServedVersion[]): CheckResult {
  const name = 'endpoints';
  const bad = served.filter((s) => s.status !== 'READY');
  if (!bad.length) return ok(name, served.map((s) => `${s.endpoint} READY`).join(', '));
  return fail(
    name,
    bad.map((s) => `${s.endpoint} is ${s.error ?? s.status ?? 'unknown'}`).join('; '),
    `bgagent runtime status --env ${env}; once nothing is moving, bgagent runtime reapply --env ${env}`,
  );
}

/** pointer == live, as `runtime status` assesses it (src/runtime/verbs/status): its drift and its fix. */
export function checkPointerLive(status: { inSync: boolean; drift: string[]; fix?: string; pointer: { digest: string } }): CheckResult {
  const name = 'pointer-live';
  if (status.inSync) return ok(name, `live serves the pointer's ${status.pointer.digest.slice(0, 19)}…`);
  return fail(name, status.drift.join('; '), status.fix);
}

/** One role question and its answer. */
export interface RoleFinding extends RoleQuestion {
  answer: SimAnswer;
}

export function checkRoles(findings: RoleFinding[], source: string): CheckResult {
  const name = 'roles';
  const refused = findings.filter((f) => f.answer.decision !== 'allowed');
  const roles = new Set(findings.map((f) => f.roleArn)).size;
  if (!refused.length) return ok(name, `${roles} roles allowed all ${findings.length} requests their code sends (${source})`);
  const shown = refused
    .slice(0, 5)
    .map((f) => `${f.component} (${f.roleArn.split('/').pop()}) may not ${f.action} on ${f.resource}${f.answer.reason ? `: ${f.answer.reason}` : ''}`);
  const more = refused.length > 5 ? `; and ${refused.length - 5} more (--json lists them)` : '';
  return fail(name, `${shown.join('; ')}${more} (${source})`, 'grant it in the stack (stacks/constructs, stacks/policies), then npx cdktf deploy infra');
}

/** The roles could not be checked at all (no simulator here): say so, without failing the exit code. */
export function rolesUnchecked(why: string, fix?: string): CheckResult {
  return warn('roles', `not checked: ${why}`, fix);
}

/**
 * The onboarded-repositories DNS Firewall list: UpdateFirewallDomains leaves it UPDATING, and only
 * COMPLETE means the Resolver enforces what the API wrote (Route 53 Resolver API reference,
 * FirewallDomainList.Status: COMPLETE | COMPLETE_IMPORT_FAILED | IMPORTING | DELETING | UPDATING).
 */
export function checkDnsFirewall(listId: string, list: { status?: string; statusMessage?: string; error?: string } | undefined): CheckResult {
  const name = 'dns-firewall';
  if (!listId) return warn(name, 'no onboarded-repositories list in this environment (local mode has no DNS Firewall)');
  if (list?.error) return fail(name, `list ${listId}: ${list.error}`, 'npx cdktf deploy infra (the stack creates the list)');
  const status = list?.status;
  if (status === 'COMPLETE') return ok(name, `list ${listId} COMPLETE`);
  if (status === undefined) return warn(name, `list ${listId}: the service did not report a status`);
  const message = list?.statusMessage ? ` (${list.statusMessage})` : '';
  if (status === 'UPDATING' || status === 'IMPORTING')
    return fail(
      name,
      `list ${listId} is ${status}${message}: the Resolver may not enforce the last onboarding yet`,
      'wait a minute and run bgagent doctor again',
    );
  return fail(
    name,
    `list ${listId} is ${status}${message}`,
    'bgagent repo list, then PATCH any repository (or npx cdktf deploy infra) to write the list again',
  );
}

/** Validated with the schema the API reads it with (src/platform/guardrails.ts). */
export function checkGuardrails(parameter: string, raw: string | undefined): CheckResult {
  const name = 'guardrails';
  const fix = `aws ssm put-parameter --name ${parameter} --overwrite --value file://guardrails.json (a document the API's schema accepts)`;
  if (raw === undefined) return fail(name, `${parameter} does not exist`, 'npx cdktf deploy infra (writes the defaults)');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(name, `${parameter} is not valid JSON`, fix);
  }
  const parsed = GuardrailsSchema.safeParse(json);
  if (parsed.success) return ok(name, `${parameter} valid`);
  const issue = parsed.error.issues[0];
  return fail(name, `${parameter}: bad "${issue?.path.join('.')}": ${issue?.message}`, fix);
}

/** Validated with the reader promotion uses (src/platform/promotion-policy.ts). */
export function checkPromotionPolicy(parameter: string, raw: string | undefined): CheckResult {
  const name = 'promotion-policy';
  if (raw === undefined) return fail(name, `${parameter} does not exist`, 'npx cdktf deploy infra (writes the default)');
  try {
    parsePromotionPolicy(raw, parameter);
    return ok(name, `${parameter} valid`);
  } catch (e) {
    return fail(name, (e as Error).message, `aws ssm put-parameter --name ${parameter} --overwrite with a valid document`);
  }
}

/** The API's answer to GET /v1/openapi.json (or why there was none). */
export interface ApiProbe {
  url: string;
  status?: number;
  /** The document's `openapi` member, when the body was JSON. */
  openapi?: string;
  error?: string;
  ms?: number;
}

export function checkApi(probe: ApiProbe): CheckResult {
  const name = 'api';
  const fix = 'check the API stage and its Lambda (npx cdktf deploy infra), or locally npm run dev';
  if (probe.error) return fail(name, `${probe.url}: ${probe.error}`, fix);
  if (probe.status !== 200) return fail(name, `${probe.url} answered HTTP ${probe.status}`, fix);
  if (!probe.openapi) return fail(name, `${probe.url} answered, but not with an OpenAPI document`, fix);
  return ok(name, `${probe.url} answered (OpenAPI ${probe.openapi}${probe.ms !== undefined ? `, ${probe.ms} ms` : ''})`);
}

/** AWS SDK for JavaScript v3 releases after January 2027 need Node 22 (the SDK's NodeVersionSupportWarning). */
export function checkNode(version: string): CheckResult {
  const name = 'node';
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (major >= 22) return ok(name, `Node ${version}`);
  return warn(name, `Node ${version}: AWS SDK releases after January 2027 need Node 22`, 'install Node 22 (mise use node@22, or nvm install 22)');
}

/** Exit 0 when nothing FAILs (warnings do not), else 3 (the project's exit-code table: drift). */
export function doctorExit(checks: CheckResult[]): 0 | 3 {
  return checks.some((c) => c.status === 'FAIL') ? 3 : 0;
}

/** One line per check: name, status, why, and the fix when there is one. */
export function formatDoctor(env: string, checks: CheckResult[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map(
    (c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.why}${c.fix && c.status !== 'ok' ? `\n      ${' '.repeat(width)}  fix: ${c.fix}` : ''}`,
  );
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  return [`${env}: ${failed ? `${failed} check(s) FAILED` : 'healthy'}`, ...lines].join('\n');
}
