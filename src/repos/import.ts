/**
 * `repo import --from-table`: copies an upstream ABCA RepoTable into this environment's repos
 * table. Planned first (pure), written only with `apply`; idempotent (a row already holding the
 * same settings is left alone); each written row carries its `import` event in one transaction.
 * Imported rows are IaC rows (the Blueprint stays their source of truth); a row onboarded here
 * through the API is never overwritten.
 */
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConfigAudit } from '../audit/config';
import { allItems } from '../aws/pages';
import { repoChange } from './history';
import type { RepoConfig } from './repo-config';
import { canonicalRepoId, repoIdProblem } from './repo-id';
import type { RepoStore } from './store';
import { fromStored } from './upstream';

export interface ImportItem {
  repo: string;
  action: 'create' | 'update' | 'unchanged' | 'skip';
  reason?: string;
  changed?: string[];
  before?: unknown;
  after?: unknown;
  /** The row to write (create, update). */
  row?: RepoConfig;
  /** The version the target row must still be at (update). */
  expectedVersion?: number;
}

/** Pure: what importing `source` items over `existing` rows (by canonical id) does. */
export function planImport(source: Record<string, unknown>[], existing: ReadonlyMap<string, RepoConfig>, now: Date): ImportItem[] {
  const plan: ImportItem[] = [];
  for (const item of source) {
    const raw = typeof item.repo === 'string' ? item.repo : '';
    // The limit counter and other non-repository items.
    if (item.status === undefined) continue;
    const problem = repoIdProblem(raw);
    if (problem) {
      plan.push({ repo: raw, action: 'skip', reason: `not a repository id: ${problem}` });
      continue;
    }
    const repo = canonicalRepoId(raw);
    if (item.status !== 'active') {
      plan.push({ repo, action: 'skip', reason: `status ${String(item.status)} upstream` });
      continue;
    }
    const current = existing.get(repo);
    if (current && current.source === 'api') {
      plan.push({ repo, action: 'skip', reason: 'onboarded here through the API; left as it is' });
      continue;
    }
    const { ttl: _ttl, expires_at: _expires, version: _version, ...fields } = fromStored(item) as unknown as Record<string, unknown>;
    const at = now.toISOString();
    const next = {
      ...fields,
      repo,
      source: 'iac',
      status: 'active',
      onboarded_at: current?.onboarded_at ?? String(fields.onboarded_at ?? at),
      updated_at: at,
      version: (current?.version ?? 0) + 1,
    } as unknown as RepoConfig;
    const change = repoChange(current, next, true);
    if (current && !change.changed?.length) {
      plan.push({ repo, action: 'unchanged' });
      continue;
    }
    plan.push({ repo, action: current ? 'update' : 'create', ...change, row: next, expectedVersion: current?.version });
  }
  return plan.sort((a, b) => a.repo.localeCompare(b.repo));
}

export interface ImportDeps {
  doc: DynamoDBDocumentClient;
  store: RepoStore;
  audit: ConfigAudit;
  actor: string;
  now?: () => Date;
}

/** Reads `fromTable`, plans, and (with `apply`) writes each create/update with its event. */
export async function importRepoTable(deps: ImportDeps, fromTable: string, opts: { apply: boolean }): Promise<ImportItem[]> {
  const scan = (TableName: string) => allItems(paginateScan({ client: deps.doc }, { TableName, ConsistentRead: true }), (p) => p.Items);
  const [source, ours] = await Promise.all([scan(fromTable), scan(deps.store.tableName)]);
  const existing = new Map(ours.filter((i) => i.status !== undefined).map((i) => [canonicalRepoId(String(i.repo)), fromStored(i)]));
  const plan = planImport(source, existing, (deps.now ?? (() => new Date()))());
  if (!opts.apply) return plan;
  for (const item of plan) {
    if (!item.row) continue;
    const event = deps.audit.event('repos', {
      action: 'import',
      actor: deps.actor,
      subject: item.repo,
      version: item.row.version,
      reason: `imported from ${fromTable}`,
      changed: item.changed,
      before: item.before,
      after: item.after,
    });
    await deps.store.importRow(item.row, item.expectedVersion, deps.audit.putOf(event));
  }
  return plan;
}
