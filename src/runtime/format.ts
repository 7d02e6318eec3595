/** Human and Markdown (GitHub job summary) renderings of what publish, rollback and re-apply did. */
import type { BakeResult } from './bake';
import type { RuntimeOperationResult } from './move';
import { describeStep } from './plan';

const mark = (ok: boolean | null) => (ok === null ? 'skip' : ok ? 'ok' : 'FAIL');

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
      ...(r.canary ? ['', 'canary check:', ...r.canary.checks.map((c) => `- ${mark(c.ok)} ${c.name}: ${c.detail}`)] : []),
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
    ...(r.canary ? ['  canary check:', ...r.canary.checks.map((c) => `    ${mark(c.ok)} ${c.name}: ${c.detail}`)] : []),
  ].join('\n');
}

/** The bake's verdict with the figures it was judged on. */
export function formatBake(r: BakeResult): string {
  const figures = (f: BakeResult['candidate']) =>
    `version ${f.version ?? '-'}: ${f.started} started, ${f.finished} finished, ${f.failed} failed (${f.lost_heartbeats} lost heartbeats, ${f.dispatch_errors} dispatch errors)`;
  const verdict =
    r.verdict === 'passed'
      ? 'passed'
      : r.verdict === 'not_enough_traffic'
        ? 'not enough traffic: neither passed nor failed'
        : r.verdict === 'superseded'
          ? 'stopped: live moved on to another version'
          : r.verdict;
  return [`${r.env}: bake of version ${r.target.version} ${verdict}`, `  new       ${figures(r.candidate)}`, `  previous  ${figures(r.previous)}`].join('\n');
}
