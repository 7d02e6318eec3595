/**
 * The provisioner: takes a `provisioning` row to `active` or `failed`. It re-validates the Cedar
 * policies with the Cedar engine, checks that the token secret exists, and registers the egress
 * allowlist in the onboarded-repositories DNS Firewall list (where the platform has one); a removed
 * or failed row's domains leave the list again.
 *
 * Triggered by the repos table's stream in AWS (provisioner-lambda.ts) and in-process by the local
 * server (local-provisioner in src/api): the same functions either way. Idempotent: a row that is
 * not `provisioning` any more, or whose version moved on, is left to the run its change triggers.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ConfigAudit } from '../audit/config';
import { cedarSyntaxErrors } from './cedar';
import type { DomainList } from './dns-firewall';
import { desiredDomains, planDomainSync, type DomainPlan } from './egress-sync';
import { DomainSchema, repoIdProblem, type RepoConfig, type RepoStatus } from './repo-config';
import { repoChange } from './history';
import { settledRow } from './rows';
import type { RepoStore } from './store';
import { checkSecret } from './token-secrets';

export interface ProvisionerDeps {
  store: RepoStore;
  secrets: SecretsManagerClient;
  audit: ConfigAudit;
  /** The onboarded-repositories domain list; absent where the platform has none (local mode). */
  domainList?: DomainList;
  log: Logger;
  now?: () => Date;
}

export type ProvisionOutcome =
  | { repo: string; status: 'active'; version: number; plan?: DomainPlan }
  | { repo: string; status: 'failed'; version: number; reason: string }
  | { repo: string; status: 'skipped'; why: string };

export const PROVISIONER_ACTOR = 'provisioner';

/** What the provisioner finds wrong with a row; empty when it may go active. */
export async function provisioningProblems(secrets: SecretsManagerClient, row: RepoConfig): Promise<string[]> {
  const problems: string[] = [];
  (row.cedar_policies ?? []).forEach((policy, i) => {
    const errors = cedarSyntaxErrors(policy);
    if (errors.length) problems.push(`cedar_policies[${i}] is not a valid Cedar policy: ${errors[0]}`);
  });
  for (const domain of row.egress_allowlist ?? []) {
    if (!DomainSchema.safeParse(domain).success) problems.push(`egress_allowlist entry "${domain}" is not a domain name`);
  }
  if (row.github_token_secret_arn) {
    const check = await checkSecret(secrets, row.github_token_secret_arn);
    if (!check.ok) problems.push(check.reason);
  }
  return problems;
}

export async function provisionRepo(deps: ProvisionerDeps, repo: string): Promise<ProvisionOutcome> {
  const now = deps.now ?? (() => new Date());
  const row = await deps.store.get(repo);
  if (!row) return { repo, status: 'skipped', why: 'no such row' };
  if (row.status !== 'provisioning') return { repo, status: 'skipped', why: `status is ${row.status}` };

  const problems = await provisioningProblems(deps.secrets, row);
  if (problems.length) {
    const reason = problems.join('; ');
    if (!(await settle(deps, row, settledRow(row, 'failed', reason, now())))) return { repo, status: 'skipped', why: 'superseded by a newer version' };
    // Its domains may have been added while it was provisioning: take them out again.
    await syncEgress(deps);
    deps.log.warn('repository provisioning failed', { repo, version: row.version, reason });
    return { repo, status: 'failed', version: row.version, reason };
  }

  const plan = await syncEgress(deps);
  if (!(await settle(deps, row, settledRow(row, 'active', undefined, now())))) return { repo, status: 'skipped', why: 'superseded by a newer version' };
  deps.log.info('repository active', { repo, version: row.version, domains_added: plan?.add.length ?? 0, domains_removed: plan?.remove.length ?? 0 });
  return { repo, status: 'active', version: row.version, plan };
}

/** Writes the verdict with its event, in one transaction; false when a newer version superseded it. */
async function settle(deps: ProvisionerDeps, row: RepoConfig, settled: RepoConfig): Promise<boolean> {
  const event = deps.audit.event('repos', {
    action: settled.status === 'active' ? 'provisioned' : 'provisioning_failed',
    actor: PROVISIONER_ACTOR,
    subject: row.repo,
    version: row.version,
    ...(settled.status_reason ? { reason: settled.status_reason } : {}),
    ...repoChange(row, settled, true),
  });
  return deps.store.settle(settled, deps.audit.putOf(event));
}

/**
 * Brings the onboarded domain list in line with the live rows (a reconcile, not a delta: any run
 * repairs what an earlier failed run left behind). Undefined where there is no list.
 */
export async function syncEgress(deps: ProvisionerDeps): Promise<DomainPlan | undefined> {
  if (!deps.domainList) return undefined;
  const rows = [...(await deps.store.allWithStatus('active')), ...(await deps.store.allWithStatus('provisioning'))];
  const plan = planDomainSync(await deps.domainList.domains(), desiredDomains(rows));
  await deps.domainList.apply(plan);
  if (plan.rejected.length) deps.log.warn('egress entries that are not domain names were not added', { rejected: plan.rejected });
  return plan;
}

export interface RepoChange {
  repo: string;
  /** Status after the change; undefined when the row was deleted (TTL purge). */
  status?: RepoStatus;
  previousStatus?: RepoStatus;
}

/** What a change to the repos table calls for. */
export async function handleRepoChange(
  deps: ProvisionerDeps,
  change: RepoChange,
): Promise<ProvisionOutcome | { repo: string; status: 'synced'; plan?: DomainPlan }> {
  // Not a repository row (the limit counter) or a purge of an already removed row.
  if (repoIdProblem(change.repo) || change.status === undefined) return { repo: change.repo, status: 'skipped', why: 'not a repository change' };
  if (change.status === 'provisioning') return provisionRepo(deps, change.repo);
  if (change.status === 'removed' && change.previousStatus !== 'removed') return { repo: change.repo, status: 'synced', plan: await syncEgress(deps) };
  return { repo: change.repo, status: 'skipped', why: `nothing to do for status ${change.status}` };
}
