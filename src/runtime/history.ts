/**
 * The history join (pure): the image pointer's SSM versions joined with the audit table. SSM
 * holds the last 100 versions (value, labels, description, date); the audit table holds every
 * move for good (who, when, commit, outcome). Versions without an audit event fall back to what
 * the version's description says; audit events whose version aged out of SSM — or that never
 * wrote one, like a refused attempt — are listed too, marked `in_ssm: false`.
 */
import type { RuntimeAuditEvent } from './audit';

/** The fields of GetParameterHistory this join reads. */
export interface PointerVersion {
  Version?: number;
  Value?: string;
  Labels?: string[];
  Description?: string;
  LastModifiedDate?: Date | string;
  LastModifiedUser?: string;
}

export interface HistoryEntry {
  /** Pointer version; absent for an attempt that never wrote one (e.g. refused: lock held). */
  version?: number;
  digest: string;
  labels: string[];
  /** When it happened: the audit event's time, else SSM's modification date. */
  at?: string;
  /** false: the version aged out of SSM's 100-version window, or was never written. */
  in_ssm: boolean;
  action?: string;
  actor?: string;
  from_digest?: string;
  git_commit?: string;
  ci_run_url?: string;
  reason?: string;
  outcome?: string;
  runtime_version?: string;
  error?: string;
  /** fast | forward (rollbacks), when recorded. */
  path?: string;
  /** SSM's description of the version (its own copy of the audit, bounded by the window). */
  description?: string;
  /** Every audit event about this version, oldest first (e.g. a publish, then a reapply). */
  events: RuntimeAuditEvent[];
}

/** Pure: `by=…; action=…; commit=…` (what the publisher writes) as fields. */
export function parseDescription(description: string | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of (description ?? '').split('; ')) {
    const m = /^([a-z_]+)=(.*)$/s.exec(part);
    if (m) fields[m[1]!] = m[2]!;
  }
  return fields;
}

const iso = (d: Date | string | undefined) => (d === undefined ? undefined : typeof d === 'string' ? d : d.toISOString());
const byEventId = (a: RuntimeAuditEvent, b: RuntimeAuditEvent) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

function fromEvents(events: RuntimeAuditEvent[]): Omit<HistoryEntry, 'version' | 'digest' | 'labels' | 'in_ssm' | 'description' | 'events'> {
  // The event that wrote the version comes first; later ones (a reapply) do not change who wrote it.
  const first = events[0]!;
  return {
    at: first.at,
    action: first.action,
    actor: first.actor,
    from_digest: first.from_digest,
    git_commit: first.git_commit,
    ci_run_url: first.ci_run_url,
    reason: first.reason,
    outcome: first.outcome,
    runtime_version: first.runtime_version,
    error: first.error,
    path: first.path,
  };
}

/** Pure: newest first, at most `limit` entries. */
export function joinHistory(versions: readonly PointerVersion[], events: readonly RuntimeAuditEvent[], limit = Infinity): HistoryEntry[] {
  const byVersion = new Map<number, RuntimeAuditEvent[]>();
  const unversioned: RuntimeAuditEvent[] = [];
  for (const e of [...events].sort(byEventId)) {
    if (typeof e.pointer_version === 'number') byVersion.set(e.pointer_version, [...(byVersion.get(e.pointer_version) ?? []), e]);
    else unversioned.push(e);
  }
  const entries: HistoryEntry[] = [];
  for (const v of versions) {
    if (v.Version === undefined) continue;
    const own = byVersion.get(v.Version) ?? [];
    byVersion.delete(v.Version);
    const desc = parseDescription(v.Description);
    entries.push({
      version: v.Version,
      digest: v.Value ?? '',
      labels: [...(v.Labels ?? [])].sort(),
      in_ssm: true,
      ...(own.length
        ? fromEvents(own)
        : {
            at: iso(v.LastModifiedDate),
            action: desc.action,
            actor: desc.by ?? v.LastModifiedUser,
            from_digest: desc.from,
            git_commit: desc.commit,
            ci_run_url: desc.run,
            reason: desc.reason,
          }),
      description: v.Description,
      events: own,
    });
  }
  // Versions SSM no longer holds: the audit table remembers them.
  for (const [version, own] of byVersion) {
    entries.push({ version, digest: own[0]!.to_digest, labels: [], in_ssm: false, ...fromEvents(own), events: own });
  }
  for (const e of unversioned) {
    entries.push({ digest: e.to_digest, labels: [], in_ssm: false, ...fromEvents([e]), events: [e] });
  }
  entries.sort((a, b) => {
    const t = (b.at ?? '').localeCompare(a.at ?? '');
    return t !== 0 ? t : (b.version ?? 0) - (a.version ?? 0);
  });
  return entries.slice(0, limit);
}
