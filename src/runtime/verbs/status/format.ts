/** Human and Markdown (GitHub job summary) renderings of `status` and `status --all`. */
import type { EnvironmentRow } from './all';
import type { RuntimeStatusReport } from './index';

const short = (d?: string) => (d ? `${d.slice(0, 19)}…` : '-');

export function formatStatus(s: RuntimeStatusReport, style: 'text' | 'markdown' = 'text'): string {
  const lines = [
    `${s.env}: ${s.inSync ? 'in sync' : 'DRIFT'}`,
    `  pointer  ${s.pointer.digest} (version ${s.pointer.version})`,
    `  live     ${s.runtime.digest ?? '-'} (endpoint ${s.runtime.endpoint} ${s.runtime.status}, version ${s.runtime.version ?? '-'}${s.runtime.targetVersion && s.runtime.targetVersion !== s.runtime.version ? ` → ${s.runtime.targetVersion}` : ''})`,
    `  DEFAULT  ${s.latest.digest ?? '-'} (latest version ${s.latest.version ?? '-'}, ${s.latest.status})`,
    ...(s.terraform ? [`  terraform pointer ${short(s.terraform.pointerDigest)}, runtime ${short(s.terraform.runtimeDigest)}`] : []),
    ...(s.lastAudit
      ? [
          `  last     ${s.lastAudit.action} ${short(s.lastAudit.to_digest)} ${s.lastAudit.outcome}${s.lastAudit.path ? ` (${s.lastAudit.path})` : ''} by ${s.lastAudit.actor} at ${s.lastAudit.at}`,
        ]
      : []),
    ...s.drift.map((d) => `  drift: ${d}`),
    ...s.notes.map((n) => `  note:  ${n}`),
    ...s.sessions.map((x) => `  session ${x.task_id} (${x.repo}) on version ${x.version ?? '-'} via ${x.qualifier ?? '-'} since ${x.started_at ?? '-'}`),
    ...(s.fix ? [`  fix:   ${s.fix}`] : []),
  ];
  return style === 'markdown' ? ['```', ...lines, '```', ''].join('\n') : lines.join('\n');
}

/** Pure: the side-by-side table (text, or Markdown for a job summary). */
export function formatStatusAll(report: { environments: EnvironmentRow[] }, style: 'text' | 'markdown' = 'text'): string {
  if (report.environments.length === 0) return 'no environments found (no /abca/<env>/platform parameter in this account and region)';
  const header = ['ENV', 'LIVE', 'POINTER', 'RUNTIME', 'SYNC', 'PROMOTED FROM'];
  const rows = report.environments.map((r) => [
    r.env,
    short(r.live),
    r.pointer ? `${short(r.pointer)} v${r.pointerVersion}` : '-',
    r.runtimeStatus ? `${r.runtimeStatus} v${r.runtimeVersion ?? '-'}` : '-',
    r.error ? `ERROR: ${r.error.slice(0, 80)}` : r.inSync ? 'in sync' : 'DRIFT',
    r.promotedFrom ?? '-',
  ]);
  if (style === 'markdown')
    return ['| ' + header.join(' | ') + ' |', '|' + header.map(() => '---').join('|') + '|', ...rows.map((r) => '| ' + r.join(' | ') + ' |'), ''].join('\n');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
