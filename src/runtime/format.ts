/** Human, Markdown (GitHub job summary) and JSON renderings of runtime results. */
import type { RuntimeOperationResult } from './move';
import { describeStep } from './plan';
import type { RuntimeStatusReport } from './status';

const short = (d?: string) => (d ? `${d.slice(0, 19)}…` : '-');

function verbOf(r: RuntimeOperationResult): string {
  if (r.outcome === 'noop') return 'already live (no-op)';
  if (r.outcome === 'dry_run') return 'dry run: nothing written';
  const done = r.action === 'rollback' ? 'rolled back' : r.action === 'reapply' ? 're-applied' : 'published';
  return `${done} (${r.path === 'fast' ? 'fast path: an existing version, no UpdateAgentRuntime' : 'forward: a new runtime version'})`;
}

export function formatOperation(r: RuntimeOperationResult, style: 'text' | 'markdown' = 'text'): string {
  const verb = verbOf(r);
  const steps = r.outcome === 'dry_run' ? r.plan.steps : r.executed;
  const stepsTitle = r.outcome === 'dry_run' ? 'would run, in order:' : 'ran:';
  if (style === 'markdown') {
    return [
      `### ABCA runtime ${r.action} — ${r.env}: ${verb}`,
      '',
      '| | |',
      '|---|---|',
      `| from | \`${r.from}\` |`,
      `| to | \`${r.to}\` |`,
      `| live | \`${r.runtimeArn}\` endpoint live on version ${r.runtimeVersion ?? '-'} |`,
      `| pointer version | ${r.pointerVersion ?? '-'} |`,
      ...(steps.length ? ['', stepsTitle, ...steps.map((s, i) => `${i + 1}. ${describeStep(s)}`)] : []),
      '',
    ].join('\n');
  }
  return [
    `${r.env}: ${verb}`,
    `  from    ${r.from}`,
    `  to      ${r.to}`,
    `  live    ${r.runtimeArn} (version ${r.runtimeVersion ?? '-'})`,
    ...(r.pointerVersion ? [`  pointer version ${r.pointerVersion}`] : []),
    ...(steps.length ? [`  ${stepsTitle}`, ...steps.map((s, i) => `    ${i + 1}. ${describeStep(s)}`)] : []),
  ].join('\n');
}

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
    ...(s.fix ? [`  fix:   ${s.fix}`] : []),
  ];
  return style === 'markdown' ? ['```', ...lines, '```', ''].join('\n') : lines.join('\n');
}
