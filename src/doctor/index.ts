/**
 * `bgagent doctor --env <env>`: what an operator runs before a workshop or after an upgrade. The
 * edges here only read (GetAgentRuntimeEndpoint, GetAgentRuntime, GetFirewallDomainList,
 * GetParameter, the API's OpenAPI document, a policy simulator); every verdict is a pure function
 * of checks.ts. Pointer == live is `runtime status`'s own assessment (src/runtime/verbs/status).
 */
import { GetFirewallDomainListCommand, type Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isAwsError } from '../aws/errors';
import { describeError } from '../errors';
import type { PlatformConfig } from '../platform/platform-config';
import { promotionPolicyParameter } from '../platform/promotion-policy';
import type { RuntimeContext } from '../runtime/context';
import { getRuntime } from '../runtime/agent-runtime';
import { endpointNames, getEndpoint } from '../runtime/endpoints';
import { runtimeStatus } from '../runtime/verbs/status';
import {
  checkApi,
  checkDnsFirewall,
  checkEndpointsReady,
  checkGuardrails,
  checkMmds,
  checkNode,
  checkPointerLive,
  checkPromotionPolicy,
  checkRoles,
  doctorExit,
  rolesUnchecked,
  type ApiProbe,
  type CheckResult,
  type RoleFinding,
  type ServedVersion,
} from './checks';
import { accountOf, roleQuestions, type RoleQuestion, type RoleSimulator } from './roles';

export * from './checks';
export * from './roles';

export interface DoctorDeps {
  /** The runtime context over the full platform document. */
  ctx: RuntimeContext & { platform: PlatformConfig };
  resolver: Route53ResolverClient;
  /** The policy simulator, or why there is none here (the roles check then warns). */
  simulator: RoleSimulator | { unavailable: string; fix?: string };
  /** GET with a bounded timeout (default: fetch with AbortSignal.timeout). */
  fetchJson?: (url: string, timeoutMs: number) => Promise<{ status: number; body: unknown }>;
  apiTimeoutMs?: number;
  nodeVersion?: string;
}

export interface DoctorReport {
  env: string;
  ok: boolean;
  checks: CheckResult[];
  /** Every role question and its answer (what the roles check judged). */
  roles?: RoleFinding[];
}

const errorText = (e: unknown) => describeError(e);

/** live and canary: their status, the version each serves, and whether it requires MMDSv2. */
export async function readServed(ctx: RuntimeContext): Promise<ServedVersion[]> {
  const { live, canary } = endpointNames(ctx);
  return Promise.all(
    [live, canary].map(async (name): Promise<ServedVersion> => {
      try {
        const e = await getEndpoint(ctx, name);
        if (!e.liveVersion) return { endpoint: name, status: e.status };
        const version = await getRuntime(ctx, e.liveVersion);
        return { endpoint: name, status: e.status, liveVersion: e.liveVersion, requireMMDSV2: version.metadataConfiguration?.requireMMDSV2 === true };
      } catch (e) {
        return { endpoint: name, error: errorText(e) };
      }
    }),
  );
}

async function readParameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value ?? '';
  } catch (e) {
    if (isAwsError(e, 'ParameterNotFound')) return undefined;
    throw e;
  }
}

export async function readDomainList(
  resolver: Route53ResolverClient,
  listId: string,
): Promise<{ status?: string; statusMessage?: string; error?: string } | undefined> {
  if (!listId) return undefined;
  try {
    const out = await resolver.send(new GetFirewallDomainListCommand({ FirewallDomainListId: listId }));
    return { status: out.FirewallDomainList?.Status, statusMessage: out.FirewallDomainList?.StatusMessage };
  } catch (e) {
    return { error: errorText(e) };
  }
}

async function defaultFetchJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

export async function probeApi(apiUrl: string, fetchJson = defaultFetchJson, timeoutMs = 5000): Promise<ApiProbe> {
  const url = `${apiUrl.replace(/\/+$/, '')}/v1/openapi.json`;
  if (!/^https?:\/\//.test(apiUrl)) return { url, error: `the platform document's apiUrl "${apiUrl}" is not an http(s) URL` };
  const started = Date.now();
  try {
    const { status, body } = await fetchJson(url, timeoutMs);
    const openapi = (body as { openapi?: unknown } | undefined)?.openapi;
    return { url, status, ...(typeof openapi === 'string' ? { openapi } : {}), ms: Date.now() - started };
  } catch (e) {
    const timedOut = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
    return { url, error: timedOut ? `no answer within ${timeoutMs} ms` : describeError((e as { cause?: unknown }).cause ?? e) };
  }
}

/** Asks the simulator every question, one role at a time (one call per role locally). */
export async function askRoles(simulator: RoleSimulator, questions: RoleQuestion[]): Promise<RoleFinding[]> {
  const byRole = new Map<string, RoleQuestion[]>();
  for (const q of questions) byRole.set(q.roleArn, [...(byRole.get(q.roleArn) ?? []), q]);
  const findings: RoleFinding[] = [];
  for (const [roleArn, qs] of byRole) {
    const answers = await simulator.simulate(roleArn, qs);
    qs.forEach((q, i) => findings.push({ ...q, answer: answers[i] ?? { decision: 'implicitDeny', reason: 'the simulator gave no answer' } }));
  }
  return findings;
}

/** Runs every check; a check whose edge throws becomes a FAIL naming the error, never a crash. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { ctx } = deps;
  const platform = ctx.platform;
  const guard = async (name: string, run: () => Promise<CheckResult>): Promise<CheckResult> => {
    try {
      return await run();
    } catch (e) {
      return { name, status: 'FAIL', why: errorText(e) };
    }
  };
  let findings: RoleFinding[] | undefined;
  const [served, pointerLive, roles, dns, guardrails, promotion, api] = await Promise.all([
    readServed(ctx),
    guard('pointer-live', async () => checkPointerLive(await runtimeStatus(ctx))),
    guard('roles', async () => {
      const simulator = deps.simulator;
      if ('unavailable' in simulator) return rolesUnchecked(simulator.unavailable, simulator.fix);
      const account = accountOf(platform);
      if (!account) return rolesUnchecked(`no account in the runtime ARN ${platform.agentRuntimeArn}`);
      findings = await askRoles(simulator, roleQuestions(platform, account));
      return checkRoles(findings, simulator.source);
    }),
    guard('dns-firewall', async () => checkDnsFirewall(platform.onboardedDomainListId, await readDomainList(deps.resolver, platform.onboardedDomainListId))),
    guard('guardrails', async () => checkGuardrails(platform.guardrailsParameter, await readParameter(ctx.clients.ssm, platform.guardrailsParameter))),
    guard('promotion-policy', async () => {
      const name = promotionPolicyParameter(ctx.env);
      return checkPromotionPolicy(name, await readParameter(ctx.clients.ssm, name));
    }),
    guard('api', async () => checkApi(await probeApi(platform.apiUrl, deps.fetchJson, deps.apiTimeoutMs))),
  ]);
  const checks = [
    checkMmds(ctx.env, served),
    checkEndpointsReady(ctx.env, served),
    pointerLive,
    roles,
    dns,
    guardrails,
    promotion,
    api,
    checkNode(deps.nodeVersion ?? process.version),
  ];
  return { env: ctx.env, ok: doctorExit(checks) === 0, checks, ...(findings ? { roles: findings } : {}) };
}
