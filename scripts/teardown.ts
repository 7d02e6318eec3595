/**
 * npm run teardown -- --env <env> --confirm <env> [--state-bucket B] [--region R] [--dry-run] [--json]
 *
 * Destroys an environment deployed by deploy:first: deletion protection off, ECR emptied,
 * terraform destroy from the remote state. Refused without --confirm naming the environment.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { resolveEnv } from '../src/platform/names';
import { applyPlan } from '../src/deploy/apply';
import { accountId, awsDeps, printPlan, printReport, regionFrom } from '../src/cli-support/deploy';
import { formatPlan } from '../src/deploy/plan';
import { processRunner } from '../src/deploy/runner';
import { checkConfirmation, planTeardown } from '../src/deploy/teardown';

const ROOT = path.resolve(__dirname, '..');
process.chdir(ROOT);

const program = new Command()
  .name('teardown')
  .description('Destroy an environment: deletion protection off, ECR emptied, terraform destroy (the state bucket stays)')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--confirm <env>', 'the environment name again: nothing is destroyed without it')
  .option('--state-bucket <bucket>', 'S3 bucket of the Terraform state (default: abca-tfstate-<account>-<region>)')
  .option('--region <region>', 'AWS region (default: $AWS_REGION)')
  .option('--outdir <dir>', 'cdktf output folder', 'cdktf.out')
  .option('--dry-run', 'print the plan and change nothing')
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    `
Example:
  npm run teardown -- --env dev --confirm dev --dry-run
  npm run teardown -- --env dev --confirm dev

Disable the deploy-infra and deploy-runtime workflows first, so nothing redeploys meanwhile.
Exit: 0 destroyed (or nothing left), 1 a step failed (run again to resume), 2 no confirmation or bad input`,
  );
const opts = program
  .parse()
  .opts<{ env?: string; confirm?: string; stateBucket?: string; region?: string; outdir: string; dryRun?: boolean; json?: boolean }>();

runMain(
  async () => {
    const env = resolveEnv(opts.env);
    const region = regionFrom(opts.region);
    checkConfirmation(env, opts.confirm);
    const plan = planTeardown({ env, region, accountId: await accountId(region), stateBucket: opts.stateBucket, confirm: opts.confirm, outdir: opts.outdir });
    if (opts.dryRun) {
      printPlan(!!opts.json, plan, formatPlan(plan));
      return 0;
    }
    const report = await applyPlan(plan, { ...awsDeps(region, plan.accountId), runner: processRunner(ROOT), log: progressLog() });
    return printReport(!!opts.json, plan, report, report.ok ? `The state bucket ${plan.stateBucket} stays (delete it by hand if no environment uses it).` : '');
  },
  { json: () => !!opts.json },
);
