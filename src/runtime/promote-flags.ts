/**
 * The flags of `promote`, defined once for scripts/promote-runtime.ts and `bgagent runtime promote`,
 * and the renderings of its result.
 */
import type { Command } from 'commander';
import { addFlags, APPLY_FLAGS, applyOptionsFromFlags, type ApplyFlagValues, type FlagDef } from './flags';
import { ValidationError } from '../errors';
import { assertEnvName } from '../platform/names';
import type { PromoteOptions, PromoteResult } from './promote';

/** `status --all`, for scripts/runtime-status.ts and `bgagent runtime status` alike. */
export const STATUS_ALL_FLAG: FlagDef = {
  flags: '--all',
  description: 'every environment in this account and region, side by side (exit 3 if any drifts; --env is ignored)',
};

export interface PromoteFlags extends ApplyFlagValues {
  from?: string;
  to?: string;
  digest?: string;
  json?: boolean;
}

/** from/to/digest, then the flags every applying verb shares (smoke, reason, commit, CI run, dry run, waits). */
export function addPromoteFlags(cmd: Command): Command {
  return addFlags(
    cmd
      .option('--from <env>', 'source environment: where the digest succeeded')
      .option('--to <env>', 'target environment: its promotion policy must accept --from')
      .option('--digest <digest>', 'sha256:… to promote (default: the digest live serves in --from)'),
    APPLY_FLAGS,
  ).option('--json', 'print one JSON document on stdout');
}

/** Pure: flags → the environments and the verb's options. */
export function promoteOptionsFromFlags(flags: PromoteFlags, env: NodeJS.ProcessEnv = process.env): { from: string; to: string; options: PromoteOptions } {
  if (!flags.from || !flags.to) throw new ValidationError('give --from <env> and --to <env>', 'VALIDATION_ERROR');
  return { from: assertEnvName(flags.from), to: assertEnvName(flags.to), options: { digest: flags.digest, ...applyOptionsFromFlags(flags, env) } };
}

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
