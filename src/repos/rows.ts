/**
 * RepoConfig rows as values: what onboarding, a patch, a removal or a provisioning outcome turns a
 * row into. Pure, so every rule (defaults, versioning, what counts as a change) is tested without
 * a table.
 */
import { BOOKKEEPING } from './fields';
import { canonicalRepoId, REPO_DEFAULTS, type RepoConfig, type RepoConfigInput, type RepoConfigPatch, type RepoConfigView } from './repo-config';

/** How long a removed row stays (restorable by onboarding again) before DynamoDB's TTL purges it. */
export const REMOVED_TTL_SECONDS = 30 * 24 * 3600;

/**
 * A fresh row from a `POST /v1/repos` body, defaults applied, waiting for the provisioner. Restoring
 * a removed row continues its version, so an ETag from before the removal stays stale.
 */
export function onboardedRow(input: RepoConfigInput, now: Date, removed?: RepoConfig): RepoConfig {
  const { repo, ...settings } = input;
  const at = now.toISOString();
  return {
    ...REPO_DEFAULTS,
    ...settings,
    repo: canonicalRepoId(repo),
    status: 'provisioning',
    source: 'api',
    onboarded_at: at,
    updated_at: at,
    version: (removed?.version ?? 0) + 1,
  };
}

export { settingsOf } from './fields';

/** Applies a merge patch (`null` clears); `changed` lists the settings whose value moved. */
export function patchedRow(row: RepoConfig, patch: RepoConfigPatch, now: Date): { row: RepoConfig; changed: string[] } {
  const next: Record<string, unknown> = { ...row };
  const changed: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || BOOKKEEPING.has(field)) continue;
    if (sameValue(next[field], value === null ? undefined : value)) continue;
    if (value === null) delete next[field];
    else next[field] = value;
    changed.push(field);
  }
  if (!changed.length) return { row, changed };
  // Any change is re-provisioned: the provisioner re-checks everything before the row is active again.
  const { status_reason: _reason, ...rest } = next as RepoConfig;
  return { row: { ...rest, status: 'provisioning', updated_at: now.toISOString(), version: row.version + 1 }, changed: changed.sort() };
}

export function removedRow(row: RepoConfig, now: Date, ttlSeconds = REMOVED_TTL_SECONDS): RepoConfig {
  const { status_reason: _reason, ...rest } = row;
  return {
    ...rest,
    status: 'removed',
    updated_at: now.toISOString(),
    version: row.version + 1,
    expires_at: Math.floor(now.getTime() / 1000) + ttlSeconds,
  };
}

/** The provisioner's verdict on a `provisioning` row: same version (it counts configuration changes). */
export function settledRow(row: RepoConfig, status: 'active' | 'failed', reason: string | undefined, now: Date): RepoConfig {
  const { status_reason: _reason, ...rest } = row;
  return { ...rest, status, updated_at: now.toISOString(), ...(reason ? { status_reason: reason } : {}) };
}

/** The API's view of a row: no TTL bookkeeping. */
export function rowView(row: RepoConfig): RepoConfigView {
  const { expires_at: _ttl, ...view } = row;
  return view;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// --- ETag / If-Match --------------------------------------------------------------------------

/** Strong ETag of a row: its version, quoted. */
