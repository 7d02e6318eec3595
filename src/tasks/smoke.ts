/**
 * The runtime smoke check (scripts/smoke-runtime.ts, run by publish-runtime after READY): through the
 * same invoker the tasks use, ask the agent for "ping" and "version", and compare what it reports
 * with the commit/digest the publish expected.
 */
import { randomUUID } from 'node:crypto';
import { describeError } from '../errors';
import { actionPayload, agentResult } from './contract';
import type { AgentInvoker } from './invoker';

export interface SmokeExpectations {
  /** --expect-commit: the reported commit must match (either may be a ≥7-character prefix of the other). */
  commit?: string;
  /** --expect-digest: the reported digest must equal it; a runtime reporting none fails. */
  digest?: string;
  /** IMAGE_DIGEST from publish-runtime: checked only when the agent reports a digest at all. */
  publishedDigest?: string;
}

export interface SmokeCheck {
  name: 'ping' | 'version' | 'commit' | 'digest';
  /** null: skipped. */
  ok: boolean | null;
  detail: string;
}

export interface AgentIdentity {
  version: string | null;
  commit: string | null;
  digest: string | null;
}

export interface SmokeReport {
  ok: boolean;
  invoker: AgentInvoker['kind'];
  target: string;
  session_id: string;
  agent?: AgentIdentity;
  checks: SmokeCheck[];
}

function field(body: unknown, key: string): string | null {
  const v = agentResult(body)?.[key];
  return typeof v === 'string' && v ? v : null;
}

export function commitsMatch(expected: string, reported: string): boolean {
  const a = expected.toLowerCase();
  const b = reported.toLowerCase();
  return Math.min(a.length, b.length) >= 7 && (a.startsWith(b) || b.startsWith(a));
}

/** Pure: the commit and digest checks for what the agent reported. */
export function identityChecks(agent: AgentIdentity, expect: SmokeExpectations): SmokeCheck[] {
  const commit: SmokeCheck = !expect.commit
    ? { name: 'commit', ok: null, detail: 'skipped: no --expect-commit' }
    : !agent.commit
      ? { name: 'commit', ok: false, detail: `expected ${expect.commit}, the agent reports no commit` }
      : commitsMatch(expect.commit, agent.commit)
        ? { name: 'commit', ok: true, detail: `${agent.commit} as expected` }
        : { name: 'commit', ok: false, detail: `expected ${expect.commit}, the agent reports ${agent.commit}: the new image is not the one answering` };

  let digest: SmokeCheck;
  if (expect.digest) {
    digest = !agent.digest
      ? { name: 'digest', ok: false, detail: `expected ${expect.digest}, the agent reports no digest (IMAGE_DIGEST is not in the runtime's environment)` }
      : agent.digest === expect.digest
        ? { name: 'digest', ok: true, detail: `${agent.digest} as expected` }
        : { name: 'digest', ok: false, detail: `expected ${expect.digest}, the agent reports ${agent.digest}` };
  } else if (expect.publishedDigest && agent.digest) {
    digest =
      agent.digest === expect.publishedDigest
        ? { name: 'digest', ok: true, detail: `${agent.digest} as published` }
        : { name: 'digest', ok: false, detail: `published ${expect.publishedDigest}, the agent reports ${agent.digest}` };
  } else if (expect.publishedDigest) {
    digest = {
      name: 'digest',
      ok: null,
      detail: `skipped: the agent reports no digest, so the published ${expect.publishedDigest} cannot be compared (prove it with --expect-commit)`,
    };
  } else {
    digest = { name: 'digest', ok: null, detail: 'skipped: no --expect-digest and no IMAGE_DIGEST' };
  }
  return [commit, digest];
}

export async function smokeCheck(invoker: AgentInvoker, expect: SmokeExpectations, opts: { hint?: string } = {}): Promise<SmokeReport> {
  const sessionId = `abca-smoke-${randomUUID()}`;
  const report: SmokeReport = { ok: false, invoker: invoker.kind, target: invoker.target, session_id: sessionId, checks: [] };
  const fail = (name: SmokeCheck['name'], e: unknown) => {
    report.checks.push({ name, ok: false, detail: `${describeError(e)}${opts.hint ? ` (${opts.hint})` : ''}` });
    return report;
  };

  let ping: unknown;
  try {
    ping = await invoker.invoke({ sessionId, payload: actionPayload('ping') });
  } catch (e) {
    // An ABCA agent has no ping action: it refuses the task-less envelope as its contract says
    // (docs/agent-contract.md §9). Up and speaking the contract, but it reports no build identity.
    if (!describeError(e).includes('TASK_RECORD_INCOMPLETE')) return fail('ping', e);
    report.checks.push({ name: 'ping', ok: true, detail: 'an ABCA agent: it refused the empty task with TASK_RECORD_INCOMPLETE, as its contract says' });
    report.agent = { version: null, commit: null, digest: null };
    report.checks.push({ name: 'version', ok: null, detail: 'skipped: an ABCA agent reports no version' }, ...identityChecks(report.agent, expect));
    report.ok = report.checks.every((c) => c.ok !== false);
    return report;
  }
  const status = field(ping, 'status');
  const healthy = status === 'Healthy' || status === 'HealthyBusy';
  report.checks.push({ name: 'ping', ok: healthy, detail: healthy ? status! : `not healthy: ${JSON.stringify(ping).slice(0, 200)}` });
  if (!healthy) return report;

  let version: unknown;
  try {
    version = await invoker.invoke({ sessionId, payload: actionPayload('version') });
  } catch (e) {
    return fail('version', e);
  }
  const agent: AgentIdentity = { version: field(version, 'version'), commit: field(version, 'commit'), digest: field(version, 'digest') };
  report.agent = agent;
  report.checks.push(
    agent.version
      ? { name: 'version', ok: true, detail: `${agent.version} commit ${agent.commit ?? '(none)'} digest ${agent.digest ?? '(none)'}` }
      : { name: 'version', ok: false, detail: `no version in the answer: ${JSON.stringify(version).slice(0, 200)}` },
  );
  report.checks.push(...identityChecks(agent, expect));
  report.ok = report.checks.every((c) => c.ok !== false);
  return report;
}

export function formatSmoke(report: SmokeReport, env: string): string {
  const mark = (ok: boolean | null) => (ok === null ? 'skip' : ok ? ' ok ' : 'FAIL');
  return [
    `smoke ${env}: ${report.invoker} ${report.target}`,
    ...report.checks.map((c) => `  [${mark(c.ok)}] ${c.name.padEnd(8)} ${c.detail}`),
    report.ok ? 'ok: the runtime answers healthy and is the expected build' : 'FAILED: see the checks above',
  ].join('\n');
}
