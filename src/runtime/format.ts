/** Human, Markdown (GitHub job summary) and JSON renderings of runtime results. */
import type { RuntimeOperationResult } from './publish';
import type { RuntimeStatusReport } from './status';

const short = (d?: string) => (d ? `${d.slice(0, 19)}…` : '-');

export function formatOperation(r: RuntimeOperationResult, style: 'text' | 'markdown' = 'text'): string {
  const verb = r.outcome === 'noop' ? 'already live (no-op)' : r.outcome === 'dry_run' ? 'dry run: nothing written' : `${r.action === 'rollback' ? 'rolled back' : 'published'}`;
  if (style === 'markdown') {
    return [
      `### ABCA runtime ${r.action} — ${r.env}: ${verb}`,
      '',
      '| | |',
      '|---|---|',
      `| from | \`${r.from}\` |`,
      `| to | \`${r.to}\` |`,
      `| runtime | \`${r.runtimeArn}\` version ${r.runtimeVersion ?? '-'} |`,
      `| pointer version | ${r.pointerVersion ?? '-'} |`,
      ...(r.outcome === 'dry_run' ? ['', 'Would write:', ...r.plan.writes.map((w) => `- ${w}`)] : []),
      '',
    ].join('\n');
  }
  return [
    `${r.env}: ${verb}`,
    `  from    ${r.from}`,
    `  to      ${r.to}`,
    `  runtime ${r.runtimeArn} (version ${r.runtimeVersion ?? '-'})`,
    ...(r.pointerVersion ? [`  pointer version ${r.pointerVersion}`] : []),
    ...(r.outcome === 'dry_run' ? ['  would write:', ...r.plan.writes.map((w) => `    - ${w}`)] : []),
  ].join('\n');
}

export function formatStatus(s: RuntimeStatusReport, style: 'text' | 'markdown' = 'text'): string {
  const lines = [
    `${s.env}: ${s.inSync ? 'in sync' : 'DRIFT'}`,
    `  pointer  ${s.pointer.digest} (version ${s.pointer.version})`,
    `  runtime  ${s.runtime.digest ?? '-'} (${s.runtime.status}, version ${s.runtime.version ?? '-'})`,
    ...(s.terraform ? [`  terraform pointer ${short(s.terraform.pointerDigest)}, runtime ${short(s.terraform.runtimeDigest)}`] : []),
    ...(s.lastAudit ? [`  last     ${s.lastAudit.action} ${short(s.lastAudit.to_digest)} ${s.lastAudit.outcome} by ${s.lastAudit.actor} at ${s.lastAudit.at}`] : []),
    ...s.drift.map((d) => `  drift: ${d}`),
    ...(s.fix ? [`  fix:   ${s.fix}`] : []),
  ];
  return style === 'markdown' ? ['```', ...lines, '```', ''].join('\n') : lines.join('\n');
}
