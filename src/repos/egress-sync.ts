/**
 * The onboarded-repositories DNS Firewall domain list, as a plan: given what the list holds and
 * what the live repositories need, which domains to add and which to remove. Pure, so every rule is
 * tested here; the AWS call (dns-firewall.ts) only applies a plan.
 *
 * Rules:
 * - Desired = the egress allowlists of API-onboarded rows that are active or being provisioned
 *   (a provisioning row keeps its domains while a concurrent sync runs, so two provisioners never
 *   undo each other). Removed and failed rows contribute nothing; Blueprint rows are in the
 *   Terraform-owned baseline list already.
 * - Domains are compared case-insensitively and without a trailing dot (DNS Firewall returns
 *   `example.com.` for `example.com`); removals use the list's own spelling.
 * - The baseline list is never touched: a domain the baseline already allows (exactly, or through
 *   a `*.` wildcard) is not added, and the plan only ever names the onboarded list's entries.
 * - Anything that is not a domain name (`*`, URLs, IPs) is never added: it is reported instead.
 */
import { DomainSchema, type RepoConfig } from './repo-config';

export interface DomainPlan {
  add: string[];
  remove: string[];
  /** Desired entries refused because they are not domain names. */
  rejected: string[];
}

export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/** Union of the egress allowlists the onboarded list must carry. */
export function desiredDomains(rows: readonly Pick<RepoConfig, 'status' | 'source' | 'egress_allowlist'>[]): string[] {
  const out = new Set<string>();
  for (const row of rows) {
    if (row.source !== 'api' || (row.status !== 'active' && row.status !== 'provisioning')) continue;
    for (const d of row.egress_allowlist ?? []) out.add(normalizeDomain(d));
  }
  return [...out].sort();
}

/** Whether a baseline entry already allows the domain (`*.x.com` allows `a.x.com` and `*.a.x.com`). */
export function coveredBy(domain: string, baseline: ReadonlySet<string>): boolean {
  if (baseline.has(domain)) return true;
  const labels = domain.replace(/^\*\./, '').split('.');
  for (let i = domain.startsWith('*.') ? 0 : 1; i < labels.length; i++) {
    if (baseline.has(`*.${labels.slice(i).join('.')}`)) return true;
  }
  return false;
}

export function planDomainSync(current: readonly string[], desired: readonly string[], baseline: readonly string[] = []): DomainPlan {
  const base = new Set(baseline.map(normalizeDomain));
  const rejected: string[] = [];
  const wanted = new Set<string>();
  for (const raw of desired) {
    const parsed = DomainSchema.safeParse(raw);
    if (!parsed.success) {
      rejected.push(raw);
      continue;
    }
    if (!coveredBy(parsed.data, base)) wanted.add(parsed.data);
  }
  // Every spelling the list holds of a domain (`a.com` and `a.com.`), so a removal removes them all.
  const held = new Map<string, string[]>();
  for (const entry of current) held.set(normalizeDomain(entry), [...(held.get(normalizeDomain(entry)) ?? []), entry]);
  const add = [...wanted].filter((d) => !held.has(d)).sort();
  const remove = [...new Set([...held].filter(([d]) => !wanted.has(d)).flatMap(([, spellings]) => spellings))].sort();
  return { add, remove, rejected: [...new Set(rejected)].sort() };
}

export function isEmptyPlan(plan: DomainPlan): boolean {
  return plan.add.length === 0 && plan.remove.length === 0;
}

/** DNS Firewall takes at most 1000 domains per UpdateFirewallDomains call. */
export function chunked<T>(items: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
