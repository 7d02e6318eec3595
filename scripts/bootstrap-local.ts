/**
 * tsx scripts/bootstrap-local.ts --env <env> [--api-url <url>] [--promote-from <envs>] [--quiet]
 * Creates the platform in the local emulator named by AWS_ENDPOINT_URL (loopback only) and prints
 * the platform JSON on stdout. Idempotent.
 */
import { Command } from 'commander';
import { bootstrapLocal } from '../src/local/bootstrap';
import { resolveEnv } from '../src/platform/names';
import { runMain } from '../src/cli-support/run-main';

const program = new Command()
  .name('bootstrap-local')
  .description('Create the ABCA platform in a local AWS emulator (moto) on loopback; prints the platform JSON')
  .option('--env <env>', 'environment name (default: $ABCA_ENV or dev)')
  .option('--api-url <url>', 'URL the local API will serve on', 'http://127.0.0.1:8787')
  .option('--promote-from <envs>', 'comma-separated environments this one accepts promotions from (written once; default: prod ← staging ← dev)')
  .option('--quiet', 'do not list what was created (stderr)')
  .addHelpText('after', '\nExample:\n  AWS_ENDPOINT_URL=http://127.0.0.1:5000 npx tsx scripts/bootstrap-local.ts --env dev\n');

runMain(async () => {
  const opts = program.parse().opts<{ env?: string; apiUrl: string; promoteFrom?: string; quiet?: boolean }>();
  const result = await bootstrapLocal({
    env: resolveEnv(opts.env),
    apiUrl: opts.apiUrl,
    promoteFrom: opts.promoteFrom
      ?.split(',')
      .map((e) => e.trim())
      .filter(Boolean),
    log: opts.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  if (!opts.quiet) process.stderr.write(result.changes.length ? `${result.changes.length} change(s)\n` : 'already bootstrapped: no changes\n');
  process.stdout.write(`${JSON.stringify(result.platform, null, 2)}\n`);
});
