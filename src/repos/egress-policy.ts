/**
 * What a repository may add to the VPC-wide egress allowlist. The onboarded DNS Firewall list is
 * shared by every agent, so one entry opens the network for all of them: pure checks here, used by
 * the schema (every caller), the guardrails (onboarding, PATCH) and the sync (defence in depth).
 *
 * - A wildcard over a public suffix (`*.co.uk`, `*.ngrok.io`, `*.workers.dev`, `*.github.io`,
 *   `*.lambda-url.<region>.on.aws`) covers every registrant below it: refused, always. The Public
 *   Suffix List comes from `tldts` (ICANN and private sections), kept current by its releases.
 * - The guardrails' `egress.refused_suffixes` (AWS-hosted names by default: any bucket, any
 *   execute-api, any function URL; DEFAULT_REFUSED_SUFFIXES in src/platform/guardrails.ts) and,
 *   when not empty, `egress.allowed_suffixes` bound the rest.
 */
import { parse } from 'tldts';

export interface EgressPolicy {
  /** Empty: any domain that passes the other checks. Else every entry must be one of these or under one. */
  allowed_suffixes: string[];
  /** No entry may be one of these or under one. */
  refused_suffixes: string[];
}

const bare = (entry: string) => entry.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');

/** Why a wildcard entry covers other registrants' names; undefined when it does not. */
export function publicSuffixProblem(entry: string): string | undefined {
  const normalized = entry.trim().toLowerCase().replace(/\.$/, '');
  if (normalized === '*') return 'a bare "*" allows every domain';
  if (!normalized.startsWith('*.')) return undefined;
  const base = normalized.slice(2);
  const parsed = parse(base, { allowPrivateDomains: true });
  // No registrable domain: the base is itself a public suffix (or above one).
  if (!parsed.domain) return `"${normalized}" is a wildcard over the public suffix "${parsed.publicSuffix ?? base}" (every registrant's names under it)`;
  return undefined;
}

/** Whether `entry` (a domain or `*.domain`) is `suffix` or lies under it. */
export function isUnder(entry: string, suffix: string): boolean {
  const host = bare(entry);
  const s = bare(suffix);
  return host === s || host.endsWith(`.${s}`);
}

/** Problems of one allowlist entry under the policy (empty when it may be added). */
export function egressEntryProblems(entry: string, policy: EgressPolicy): string[] {
  const problems: string[] = [];
  const psl = publicSuffixProblem(entry);
  if (psl) problems.push(psl);
  const refused = policy.refused_suffixes.find((s) => isUnder(entry, s));
  if (refused) problems.push(`"${bare(entry)}" is under "${refused}", which the egress guardrails refuse`);
  if (policy.allowed_suffixes.length && !policy.allowed_suffixes.some((s) => isUnder(entry, s))) {
    problems.push(`"${bare(entry)}" is not under an allowed suffix (${policy.allowed_suffixes.join(', ')})`);
  }
  return problems;
}
