/** Human and Markdown (GitHub job summary) renderings of a promotion. */
import type { PromoteResult } from './index';

const verb = (r: PromoteResult) => (r.outcome === 'dry_run' ? 'dry run: nothing written' : r.outcome === 'noop' ? 'already live (no-op)' : 'promoted');

export function formatPromotion(r: PromoteResult, style: 'text' | 'markdown' = 'text'): string {
  const source = `${r.promotedFrom.env} pointer v${r.promotedFrom.pointer_version ?? '?'} (audit ${r.promotedFrom.event_id})`;
  const copy =
    r.outcome === 'dry_run'
      ? r.copy.needed
        ? 'needed'
        : 'not needed (already in the target repository)'
      : r.copy.copied
        ? `copied (${r.copy.uploadedBlobs?.length ?? 0} blob(s), ${r.copy.bytes ?? 0} bytes uploaded)`
        : 'already in the target repository';
  const pub = r.publish
    ? `${r.publish.outcome}${r.publish.pointerVersion ? `, pointer version ${r.publish.pointerVersion}` : ''}${r.publish.runtimeVersion ? `, runtime version ${r.publish.runtimeVersion}` : ''}`
    : '-';
  if (style === 'markdown') {
    return [
      `### ABCA runtime promote — ${r.from} → ${r.to}: ${verb(r)}`,
      '',
      '| | |',
      '|---|---|',
      `| digest | \`${r.digest}\` |`,
      `| promoted from | ${source} |`,
      `| image copy | ${copy} |`,
      `| target publish | ${pub} |`,
      ...(r.outcome === 'dry_run' ? ['', 'Would do:', ...r.steps.map((s) => `- ${s}`)] : []),
      '',
    ].join('\n');
  }
  return [
    `${r.to}: ${verb(r)} ${r.digest}`,
    `  from    ${source}`,
    `  copy    ${copy}`,
    `  publish ${pub}`,
    ...(r.outcome === 'dry_run' ? ['  would do:', ...r.steps.map((s) => `    - ${s}`)] : []),
  ].join('\n');
}
