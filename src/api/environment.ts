/**
 * `GET /v1/environment`'s answer, from what `bgagent runtime status` and `runtime history` compute
 * (src/runtime): what `live` and `canary` serve and since when, by whom, from which commit and CI
 * run (the newest audited move that left the endpoint on that version), drift with its fix, and the
 * release timeline. Pure: the route reads, this decides what the console shows.
 */
import type { HistoryEntry, RuntimeStatusReport } from '../runtime';

export interface ServedView {
  endpoint: string;
  version?: string;
  digest?: string;
  status?: string;
  mmdsv2?: boolean;
  since?: string;
  by?: string;
  action?: string;
  git_commit?: string;
  ci_run_url?: string;
  reason?: string;
}

export interface TimelineEntry {
  at?: string;
  action?: string;
  outcome?: string;
  actor?: string;
  digest: string;
  from_digest?: string;
  pointer_version?: number;
  runtime_version?: string;
  labels: string[];
  reason?: string;
  git_commit?: string;
  ci_run_url?: string;
  error?: string;
  path?: string;
}

export interface EnvironmentView {
  env: string;
  in_sync: boolean;
  drift: string[];
  notes: string[];
  fix?: string;
  pointer: { digest: string; version: number };
  live: ServedView;
  canary: ServedView;
  timeline: TimelineEntry[];
}

const MOVED = new Set(['succeeded', 'repaired']);

/** The newest successful move that left `version` served: who, when, from which commit. */
function provenance(history: readonly HistoryEntry[], version: string | undefined, digest: string | undefined): Partial<ServedView> {
  if (!version && !digest) return {};
  const match = history.find((h) => MOVED.has(h.outcome ?? '') && (version ? h.runtime_version === version : h.digest === digest));
  if (!match) return {};
  return { since: match.at, by: match.actor, action: match.action, git_commit: match.git_commit, ci_run_url: match.ci_run_url, reason: match.reason };
}

export function environmentView(
  report: RuntimeStatusReport,
  history: readonly HistoryEntry[],
  canary: { name: string; digest?: string; status?: string },
): EnvironmentView {
  const liveVersion = report.runtime.version;
  const canaryVersion = report.versions.canary?.version;
  return {
    env: report.env,
    in_sync: report.inSync,
    drift: report.drift,
    notes: report.notes,
    ...(report.fix ? { fix: report.fix } : {}),
    pointer: report.pointer,
    live: {
      endpoint: report.runtime.endpoint,
      version: liveVersion,
      digest: report.runtime.digest,
      status: report.runtime.status,
      mmdsv2: report.versions.live?.mmdsv2,
      ...provenance(history, liveVersion, report.runtime.digest),
    },
    canary: {
      endpoint: canary.name,
      version: canaryVersion,
      digest: canary.digest,
      status: canary.status,
      mmdsv2: report.versions.canary?.mmdsv2,
      ...provenance(history, canaryVersion, canary.digest),
    },
    timeline: history.map((h) => ({
      at: h.at,
      action: h.action,
      outcome: h.outcome,
      actor: h.actor,
      digest: h.digest,
      from_digest: h.from_digest,
      pointer_version: h.version,
      runtime_version: h.runtime_version,
      labels: h.labels,
      reason: h.reason,
      git_commit: h.git_commit,
      ci_run_url: h.ci_run_url,
      error: h.error,
      path: h.path,
    })),
  };
}
