/**
 * The unused-grants report: for each role, the (action, resource) pairs its Allow statements grant
 * that no allowed request used. A grant is "action pattern × resource pattern" of one statement;
 * it is used when some allowed request's action and resource match both (conditions aside: a
 * grant used under any condition counts as used).
 */
import type { CompiledPolicies } from './synthesized';

/** A grant a request used: role, action, resource (what the unused-grants report compares). */
export interface UsedGrant {
  roleArn: string;
  action: string;
  resource: string;
}

export interface UnusedGrant {
  role: string;
  policy: string;
  /** The statement's Sid, else its index in the policy. */
  statement: string;
  action: string;
  resource: string;
}

/** IAM's wildcard match: `*` any run, `?` one character. Actions match case-insensitively. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    ignoreCase ? 'i' : '',
  );
  return re.test(value);
}

const list = (v: unknown): string[] => (v === undefined ? [] : ([v].flat() as string[]));

export function unusedGrants(policies: CompiledPolicies, used: UsedGrant[]): UnusedGrant[] {
  const out: UnusedGrant[] = [];
  for (const role of Object.values(policies.roles)) {
    const mine = used.filter((u) => u.roleArn === role.arn);
    for (const { name, policy } of role.identity) {
      policy.Statement.forEach((s, i) => {
        if (s.Effect !== 'Allow' || s.NotAction || s.NotResource) return;
        for (const action of list(s.Action)) {
          for (const resource of list(s.Resource)) {
            const hit = mine.some((u) => globMatch(action, u.action, true) && globMatch(resource, u.resource));
            if (!hit) out.push({ role: role.name, policy: name, statement: typeof s.Sid === 'string' ? s.Sid : String(i), action, resource });
          }
        }
      });
    }
  }
  return out;
}

/**
 * The report, one line per unused grant grouped by role, for a file or stdout. Empty when every
 * grant was used.
 */
export function formatUnusedGrants(unused: UnusedGrant[], roles?: string[]): string {
  const byRole = new Map<string, UnusedGrant[]>();
  for (const u of unused) byRole.set(u.role, [...(byRole.get(u.role) ?? []), u]);
  const lines: string[] = [];
  for (const role of [...byRole.keys()].sort()) {
    if (roles && !roles.includes(role)) continue;
    lines.push(`${role}:`);
    for (const u of byRole.get(role)!) lines.push(`  ${u.policy}/${u.statement}: ${u.action} on ${u.resource}`);
  }
  return lines.join('\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A grant used in one environment, named as in another: the suite runs many environments, the
 * report judges one stack's statements. Rewrites the names platformNames gives an environment
 * (`abca-<env>-…`, `/abca/<env>/…`, `abca/<env>/…`, `abca_<env>_agent`) and the runtime's generated
 * suffix (the stack's placeholder, synthesized.ts, stands for it). Grants of roles that are not an
 * environment's stay as they are.
 */
export function ontoEnv(grant: UsedGrant, from: string, to: string, runtimeSuffix = 'a1b2c3d4e5'): UsedGrant {
  if (from === to) return grant;
  const f = escape(from);
  const rename = (s: string) =>
    s
      .replace(new RegExp(`abca_${f}_agent-[A-Za-z0-9]{10}`, 'g'), `abca_${to}_agent-${runtimeSuffix}`)
      .replace(new RegExp(`abca_${f}_agent`, 'g'), `abca_${to}_agent`)
      .replace(new RegExp(`abca-${f}(?=-|$|/|:)`, 'g'), `abca-${to}`)
      .replace(new RegExp(`abca/${f}/`, 'g'), `abca/${to}/`);
  return { roleArn: rename(grant.roleArn), action: grant.action, resource: rename(grant.resource) };
}
