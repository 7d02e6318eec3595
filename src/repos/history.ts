/**
 * A repository's history as values: what an event records of a change, the settings as they were
 * at a version (walking events back from the current row), the diff between two versions and the
 * patch that reverts to one. Pure, so every rule is tested without a table.
 */
import { z } from 'zod';
import { fieldChanges, isStandIn, SECRET_FIELDS } from '../audit/changes';
import type { ConfigAuditEvent } from '../audit/events';
import { NotFoundError, ValidationError } from '../errors';
import { CLEARABLE_FIELDS, settingsOf } from './fields';
import type { RepoConfig, RepoConfigPatch } from './repo-config';

/** Lifecycle fields an event records beside the settings (onboarding, removal, provisioning). */
const LIFECYCLE = ['status', 'status_reason'] as const;

function tracked(row: RepoConfig | undefined, lifecycle: boolean): Record<string, unknown> {
  if (!row) return {};
  const settings = settingsOf(row);
  if (!lifecycle) return settings;
  const r = row as Record<string, unknown>;
  return { ...settings, ...Object.fromEntries(LIFECYCLE.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])) };
}

/**
 * Pure: the changed fields of a row change, old → new (`null` for absent). Settings changes list
 * settings only; lifecycle events (onboard, restore, remove, provisioning) add the status.
 */
export function repoChange(before: RepoConfig | undefined, after: RepoConfig, lifecycle: boolean): Pick<ConfigAuditEvent, 'changed' | 'before' | 'after'> {
  return fieldChanges(tracked(before, lifecycle), tracked(after, lifecycle));
}

/** A field whose value at some version the audit log does not hold (a secret reference, or a value kept only as its digest). */
export interface UnknownValue {
  field: string;
  why: 'secret' | 'digest';
}

export interface SettingsAt {
  version: number;
  settings: Record<string, unknown>;
  /** Fields whose value at that version the log holds only as "changed" or a digest. */
  unknown: UnknownValue[];
}

/** Actions that change a row's settings. */
const SETTINGS_ACTIONS = new Set(['onboard', 'restore', 'update', 'set_github_token', 'import']);
/** Actions that make a new version (provisioning outcomes keep the version they settle). */
const VERSION_ACTIONS = new Set([...SETTINGS_ACTIONS, 'remove']);

/**
 * Pure: the settings at `version`, from the current row and its events (any order), undoing each
 * settings change made after it. Refused when the log does not reach back to that version.
 */
export function settingsAtVersion(current: RepoConfig, events: ConfigAuditEvent[], version: number): SettingsAt {
  if (!Number.isInteger(version) || version < 1 || version > current.version) {
    throw new NotFoundError(`${current.repo} has versions 1 to ${current.version}; there is no version ${version}`, 'REPO_VERSION_NOT_FOUND');
  }
  const settings: Record<string, unknown> = { ...settingsOf(current) };
  const unknown = new Map<string, UnknownValue>();
  const newestFirst = [...events].filter((e) => e.version !== undefined).sort((a, b) => (a.event_id < b.event_id ? 1 : -1));
  let at = current.version;
  for (const e of newestFirst) {
    if (!VERSION_ACTIONS.has(e.action)) continue;
    if (e.version! <= version) break;
    at = e.version! - 1;
    if (!SETTINGS_ACTIONS.has(e.action)) continue;
    const before = (e.before ?? {}) as Record<string, unknown>;
    for (const field of e.changed ?? []) {
      if ((LIFECYCLE as readonly string[]).includes(field)) continue;
      const old = before[field] ?? null;
      if (old !== null && isStandIn(field, old)) unknown.set(field, { field, why: SECRET_FIELDS.includes(field) ? 'secret' : 'digest' });
      else unknown.delete(field);
      if (old === null) delete settings[field];
      else settings[field] = old;
    }
  }
  if (at > version) {
    throw new NotFoundError(`the audit log of ${current.repo} does not reach back to version ${version}`, 'REPO_VERSION_NOT_FOUND');
  }
  return { version, settings, unknown: [...unknown.values()] };
}

export interface FieldDiff {
  field: string;
  from: unknown;
  to: unknown;
}

/** Pure: field by field, what differs from one version's settings to another's (`null` for absent). */
export function diffSettings(from: Record<string, unknown>, to: Record<string, unknown>): FieldDiff[] {
  const c = fieldChanges(from, to);
  return c.changed.map((field) => ({ field, from: c.before[field], to: c.after[field] }));
}

/**
 * Pure: the PATCH that brings `current` back to `target`'s settings. A field whose old value the log
 * holds only as a stand-in cannot be restored: a secret reference is kept as it is now (reported in
 * `kept`), a digest refuses the revert.
 */
export function revertPatch(current: RepoConfig, target: SettingsAt): { patch: RepoConfigPatch; kept: string[] } {
  const digests = target.unknown.filter((u) => u.why === 'digest').map((u) => u.field);
  const kept = target.unknown.filter((u) => u.why === 'secret').map((u) => u.field);
  const patch: Record<string, unknown> = {};
  for (const d of diffSettings(settingsOf(current), target.settings)) {
    if (kept.includes(d.field)) continue;
    if (digests.includes(d.field)) {
      throw new ValidationError(
        `cannot revert ${current.repo} to version ${target.version}: ${d.field} of that version is in the audit log only as its digest (too large to keep)`,
        'REVERT_IMPOSSIBLE',
      );
    }
    if (d.to === null && !(CLEARABLE_FIELDS as readonly string[]).includes(d.field)) {
      throw new ValidationError(`cannot revert ${current.repo} to version ${target.version}: ${d.field} cannot be cleared`, 'REVERT_IMPOSSIBLE');
    }
    patch[d.field] = d.to;
  }
  return { patch: patch as RepoConfigPatch, kept };
}

/** One entry of `GET /v1/repos/{owner}/{repo}/history`: an event without its storage key. */
export const RepoHistoryEntrySchema = z.object({
  event_id: z.string(),
  at: z.string(),
  action: z.string(),
  actor: z.string().describe('`user:<name>`, `api_key:<id>` or `provisioner`'),
  request_id: z.string().optional(),
  version: z.number().int().optional().describe('The row version after the change'),
  changed: z.array(z.string()).optional(),
  before: z.record(z.string(), z.unknown()).optional().describe('Old values of the changed fields (null: absent; "changed": a secret reference)'),
  after: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().optional(),
});
export type RepoHistoryEntry = z.infer<typeof RepoHistoryEntrySchema>;

export const RepoHistoryPageSchema = z.object({ repo: z.string(), items: z.array(RepoHistoryEntrySchema), next_token: z.string().optional() });

/** Pure: an event as the history shows it. */
export function historyEntry(e: ConfigAuditEvent): RepoHistoryEntry {
  const { stream: _stream, subject: _subject, ...rest } = e;
  return rest as RepoHistoryEntry;
}
