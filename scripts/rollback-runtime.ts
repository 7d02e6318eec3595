/** tsx scripts/rollback-runtime.ts --env <env> [--to-version N | --to-label L | --to-digest D] — default: last known good */
import { Command, Option } from 'commander';
import { emit, progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { ValidationError } from '../src/errors';
import { resolveEnv } from '../src/platform/names';
import { formatOperation, openRuntime, rollbackRuntime } from '../src/runtime';

const program = new Command()
  .name('rollback-runtime')
  .description('Re-publish an earlier image (a new pointer version, audited); default target: the last known good digest')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--to-version <n>', 'pointer version to return to')
  .option('--to-label <label>', 'pointer label to return to (e.g. previous)')
  .option('--to-digest <digest>', 'digest to return to')
  .option('--smoke-cmd <cmd>', 'smoke command, as for publish')
  .option('--reason <text>', 'why (recorded in the audit)')
  .option('--dry-run', 'print the plan, write nothing')
  .option('--json', 'print one JSON document on stdout')
  .addOption(new Option('--poll-interval-ms <ms>').default('5000').hideHelp())
  .addOption(new Option('--lock-ttl-ms <ms>').hideHelp())
  .addHelpText('after', '\nExample:\n  tsx scripts/rollback-runtime.ts --env dev            # last known good\n  tsx scripts/rollback-runtime.ts --env dev --to-label previous\n');
type Opts = { env?: string; toVersion?: string; toLabel?: string; toDigest?: string; smokeCmd?: string; reason?: string; dryRun?: boolean; json?: boolean; pollIntervalMs: string; lockTtlMs?: string };
const opts = program.parse().opts<Opts>();

runMain(
  async () => {
    const toVersion = opts.toVersion === undefined ? undefined : Number(opts.toVersion);
    if (toVersion !== undefined && !(Number.isInteger(toVersion) && toVersion > 0)) throw new ValidationError(`--to-version must be a positive integer, got "${opts.toVersion}"`, 'USAGE');
    const ctx = await openRuntime(resolveEnv(opts.env), { log: progressLog() });
    const result = await rollbackRuntime(ctx, {
      toVersion,
      toLabel: opts.toLabel,
      toDigest: opts.toDigest,
      smokeCmd: opts.smokeCmd,
      reason: opts.reason ?? 'rollback',
      dryRun: opts.dryRun,
      gitCommit: process.env.GITHUB_SHA,
      pollIntervalMs: Number(opts.pollIntervalMs),
      lockTtlMs: opts.lockTtlMs ? Number(opts.lockTtlMs) : undefined,
    });
    emit(!!opts.json, result, formatOperation(result), formatOperation(result, 'markdown'));
  },
  { json: () => !!opts.json },
);
