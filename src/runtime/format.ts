/** Human and Markdown (GitHub job summary) renderings of what publish, rollback and re-apply did. */
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
