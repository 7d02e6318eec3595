/**
 * The flags of `promote`, defined once for scripts/promote-runtime.ts and `bgagent runtime promote`,
 * and the renderings of its result.
 */
import { Option, type Command } from 'commander';
import type { FlagDef } from './flags';
import { ValidationError } from '../errors';
import { assertEnvName } from '../platform/names';
import type { PromoteOptions, PromoteResult } from './promote';

/** `status --all`, for scripts/runtime-status.ts and `bgagent runtime status` alike. */
export const STATUS_ALL_FLAG: FlagDef = { flags: '--all', description: 'every environment in this account and region, side by side (exit 3 if any drifts; --env is ignored)' };

export interface PromoteFlags {
  from?: string;
  to?: string;
  digest?: string;
  smokeCmd?: string;
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
  pollIntervalMs: string;
  lockTtlMs?: string;
}

export function addPromoteFlags(cmd: Command): Command {
  return cmd
    .option('--from <env>', 'source environment: where the digest succeeded')
    .option('--to <env>', 'target environment: its promotion policy must accept --from')
    .option('--digest <digest>', 'sha256:… to promote (default: the digest live serves in --from)')
    .option('--smoke-cmd <cmd>', 'smoke command for the target publish (RUNTIME_ARN, RUNTIME_VERSION, IMAGE_DIGEST set); non-zero restores the target')
    .option('--reason <text>', 'why (recorded in the target audit; default "promote from <env>")')
    .option('--dry-run', 'check the policy and the digest, print the steps, write nothing')
    .option('--json', 'print one JSON document on stdout')
    .addOption(new Option('--poll-interval-ms <ms>', 'poll interval while UPDATING').default('5000').hideHelp())
    .addOption(new Option('--lock-ttl-ms <ms>', 'deploy lock expiry').hideHelp());
}

const positive = (flag: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${flag} must be a positive number, got "${raw}"`, 'USAGE');
  return n;
};

export function ciRunUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
}

/** Pure: flags → the environments and the verb's options. */
export function promoteOptionsFromFlags(flags: PromoteFlags, env: NodeJS.ProcessEnv = process.env): { from: string; to: string; options: PromoteOptions } {
  if (!flags.from || !flags.to) throw new ValidationError('give --from <env> and --to <env>', 'USAGE');
  return {
    from: assertEnvName(flags.from),
    to: assertEnvName(flags.to),
    options: {
      digest: flags.digest,
      smokeCmd: flags.smokeCmd,
      reason: flags.reason,
      dryRun: flags.dryRun,
      gitCommit: env.GITHUB_SHA,
      ciRunUrl: ciRunUrl(env),
      pollIntervalMs: positive('--poll-interval-ms', flags.pollIntervalMs),
      lockTtlMs: flags.lockTtlMs === undefined ? undefined : positive('--lock-ttl-ms', flags.lockTtlMs),
    },
  };
}

const verb = (r: PromoteResult) => (r.outcome === 'dry_run' ? 'dry run: nothing written' : r.outcome === 'noop' ? 'already live (no-op)' : 'promoted');

export function formatPromotion(r: PromoteResult, style: 'text' | 'markdown' = 'text'): string {
  const source = `${r.promotedFrom.env} pointer v${r.promotedFrom.pointer_version ?? '?'} (audit ${r.promotedFrom.event_id})`;
  const copy = r.outcome === 'dry_run' ? (r.copy.needed ? 'needed' : 'not needed (already in the target repository)') : r.copy.copied ? `copied (${r.copy.uploadedBlobs?.length ?? 0} blob(s), ${r.copy.bytes ?? 0} bytes uploaded)` : 'already in the target repository';
  const pub = r.publish ? `${r.publish.outcome}${r.publish.pointerVersion ? `, pointer version ${r.publish.pointerVersion}` : ''}${r.publish.runtimeVersion ? `, runtime version ${r.publish.runtimeVersion}` : ''}` : '-';
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
