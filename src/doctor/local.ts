/**
 * The roles check in local mode: the emulator's IAM enforcement point (src/local/iam/proxy.ts)
 * answers `POST <AWS_ENDPOINT_URL>/_abca/iam/simulate` with the same engine and the same synthesized
 * policies it authorizes every request with. A plain moto (enforcement off) has no such route.
 */
import type { RoleSimulator, SimAnswer, SimDecision } from './roles';

const DECISIONS: Record<string, SimDecision> = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' };

/** Pure: the engine's verdict (Allowed | ExplicitlyDenied | ImplicitlyDenied, with AWS's reason) as an answer. */
export function engineAnswer(verdict: { decision?: string; reason?: string }): SimAnswer {
  const decision = DECISIONS[verdict.decision ?? ''] ?? 'implicitDeny';
  return decision === 'allowed' ? { decision } : { decision, reason: verdict.reason ?? `the engine answered ${JSON.stringify(verdict.decision)}` };
}

/** Whether the endpoint is the enforcement point (it answers its stats), within a bounded time. */
export async function enforcementAt(endpoint: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint.replace(/\/+$/, '')}/_abca/iam/stats`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    const body = (await res.json().catch(() => undefined)) as { requests?: unknown } | undefined;
    return typeof body?.requests === 'number';
  } catch {
    return false;
  }
}

export function localRoleSimulator(endpoint: string, timeoutMs = 30_000): RoleSimulator {
  return {
    source: 'the local IAM engine',
    simulate: async (roleArn, questions) => {
      const res = await fetch(`${endpoint.replace(/\/+$/, '')}/_abca/iam/simulate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ roleArn, questions }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`the local IAM engine refused the simulation: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { decision?: string; reason?: string }[]).map(engineAnswer);
    },
  };
}
