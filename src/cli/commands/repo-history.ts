/** `bgagent repo history | diff | revert`, over `GET /v1/repos/{owner}/{repo}/history` and PATCH. */
import type { Command } from 'commander';
import type { ConfigAuditEvent } from '../../audit/events';
import { ConflictError, ValidationError } from '../../errors';
import { diffSettings, revertPatch, settingsAtVersion, type FieldDiff, type RepoHistoryEntry, type SettingsAt } from '../../repos/history';
import type { ApiClient, RepoRow } from '../api-client';
import { examples, openApi, output, positiveNumber, withApi, type ApiOpts } from '../common';
import { cell, renderTable, type Column } from '../output';
import { parseRepoId } from '../repo-flags';

/** A repository's history is short (one event per change): a runaway listing is a bug, not a long wait. */
const MAX_PAGES = 100;

async function wholeHistory(client: ApiClient, repo: string, limit = Infinity): Promise<RepoHistoryEntry[]> {
  const items: RepoHistoryEntry[] = [];
  let next: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await client.repoHistory(repo, { limit: Number.isFinite(limit) ? Math.min(100, limit - items.length) : 100, next_token: next });
    items.push(...page.items);
    next = page.next_token;
    if (!next || items.length >= limit) break;
  }
  return items.slice(0, limit);
}

/** Pure: one field's change as `field: old → new`. */
export function changeLine(field: string, from: unknown, to: unknown): string {
  return `${field}: ${cell(from)} → ${cell(to)}`;
}

/** Pure: what an entry changed, on one line. */
export function entryChanges(e: RepoHistoryEntry): string {
  const before = e.before ?? {};
  const after = e.after ?? {};
  return (e.changed ?? []).map((f) => changeLine(f, before[f], after[f])).join('; ') || '-';
}

export const HISTORY_COLUMNS: Column<RepoHistoryEntry>[] = [
  { header: 'VERSION', value: (e) => e.version },
  { header: 'AT', value: (e) => e.at },
  { header: 'ACTION', value: (e) => e.action },
  { header: 'ACTOR', value: (e) => e.actor, max: 30 },
  { header: 'CHANGES', value: (e) => entryChanges(e), max: 120 },
];

/** Pure: a diff as aligned lines (or a sentence when there is nothing). */
export function renderDiff(repo: string, from: number, to: number, changes: FieldDiff[]): string {
  if (!changes.length) return `${repo}: versions ${from} and ${to} have the same settings`;
  return [`${repo}: version ${from} → ${to}`, ...changes.map((c) => `  ${changeLine(c.field, c.from, c.to)}`)].join('\n');
}

function version(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new ValidationError(`${flag} must be a version number, got "${raw}"`, 'VALIDATION_ERROR');
  return Number(raw);
}

/** The settings at version `v` (0: before onboarding, nothing). */
function at(row: RepoRow, events: RepoHistoryEntry[], v: number): SettingsAt {
  if (v === 0) return { version: 0, settings: {}, unknown: [] };
  return settingsAtVersion(row, events as ConfigAuditEvent[], v);
}

export function repoHistoryCommands(repo: Command): void {
  const history = withApi(
    repo.command('history').description("A repository's changes, newest first: who, when, and each field's old and new value").argument('<owner/repo>'),
  ).option('--limit <n>', 'at most this many changes (default: all)');
  examples(history, 'bgagent repo history acme/widgets', 'bgagent repo history acme/widgets --json | jq ".items[0]"');
  history.action(async (id: string, opts: ApiOpts & { limit?: string }) => {
    const repoId = parseRepoId(id);
    const { client } = openApi(opts);
    const items = await wholeHistory(client, repoId, opts.limit === undefined ? Infinity : positiveNumber('--limit', opts.limit, 0));
    output(opts).result({ repo: repoId, items }, () => renderTable(items, HISTORY_COLUMNS));
  });

  const diff = withApi(
    repo
      .command('diff')
      .description('Field by field, what changed between two versions of a repository (default: the previous version and the current one)')
      .argument('<owner/repo>')
      .option('--from <version>', 'older version (default: --to minus 1)')
      .option('--to <version>', 'newer version (default: the current one)'),
  );
  examples(diff, 'bgagent repo diff acme/widgets', 'bgagent repo diff acme/widgets --from 2 --to 5 --json');
  diff.action(async (id: string, opts: ApiOpts & { from?: string; to?: string }) => {
    const repoId = parseRepoId(id);
    const { client } = openApi(opts);
    const [{ body: row }, events] = await Promise.all([client.getRepo(repoId), wholeHistory(client, repoId)]);
    const to = version('--to', opts.to) ?? row.version;
    const from = version('--from', opts.from) ?? Math.max(0, to - 1);
    const changes = diffSettings(at(row, events, from).settings, at(row, events, to).settings);
    output(opts).result({ repo: repoId, from, to, changes }, () => renderDiff(repoId, from, to, changes));
  });

  const revert = withApi(
    repo
      .command('revert')
      .description("Bring a repository back to an earlier version's settings: a PATCH with If-Match on the current version, checked by today's guardrails")
      .argument('<owner/repo>')
      .requiredOption('--to-version <version>', 'the version whose settings to restore')
      .option('--dry-run', 'print the change and write nothing'),
  );
  examples(revert, 'bgagent repo revert acme/widgets --to-version 2', 'bgagent repo revert acme/widgets --to-version 2 --dry-run --json');
  revert.action(async (id: string, opts: ApiOpts & { toVersion: string; dryRun?: boolean }) => {
    const out = output(opts);
    const repoId = parseRepoId(id);
    const target = version('--to-version', opts.toVersion)!;
    const { client } = openApi(opts);
    const [current, events] = await Promise.all([client.getRepo(repoId), wholeHistory(client, repoId)]);
    const row = current.body;
    if (row.source === 'iac') {
      throw new ConflictError(
        `repository ${repoId} is declared in IaC (a Blueprint) and is read-only through the API; revert it in the stack`,
        'REPO_MANAGED_BY_IAC',
      );
    }
    const { patch, kept } = revertPatch(row, at(row, events, target));
    const fields = Object.keys(patch);
    const summary = { repo: repoId, to_version: target, from_version: row.version, kept };
    const changes: FieldDiff[] = fields.map((f) => ({
      field: f,
      from: (row as Record<string, unknown>)[f] ?? null,
      to: (patch as Record<string, unknown>)[f],
    }));
    const keptNote = kept.length ? `\n  kept as now (the audit log holds no secret reference): ${kept.join(', ')}` : '';
    if (!fields.length || opts.dryRun) {
      out.result({ ...summary, changes, version: row.version, written: false }, () =>
        fields.length
          ? `${renderDiff(repoId, row.version, target, changes)}${keptNote}\n(dry run: nothing written)`
          : `${repoId} already has the settings of version ${target}${keptNote}`,
      );
      return;
    }
    const updated = (await client.updateRepo(repoId, patch, current.etag ?? `"${row.version}"`)).body;
    out.result(
      { ...summary, changes, version: updated.version, status: updated.status, written: true },
      () =>
        [
          `reverted ${repoId} to the settings of version ${target} (now version ${updated.version}, ${updated.status})`,
          ...changes.map((c) => `  ${changeLine(c.field, c.from, c.to)}`),
        ].join('\n') + keptNote,
    );
  });
}
