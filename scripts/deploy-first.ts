/**
 * npm run deploy:first -- --env <env> --github-repository <owner/repo> [--state-bucket B] [--image-digest D]
 *   [--region R] [--github-oidc-provider-arn A] [--vpc-cidr C] [--no-manage-api-gateway-account]
 *   [--apply-github] [--dry-run] [--json]
 *
 * A first deploy of an environment into an empty account, in one command; idempotent and resumable.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { ValidationError } from '../src/errors';
import { resolveEnv } from '../src/platform/names';
import { applyPlan } from '../src/deploy/apply';
import { accountId, awsDeps, ghReady, gitCommit, printPlan, printReport, regionFrom } from '../src/cli-support/deploy';
import { planFirstDeploy } from '../src/deploy/first-deploy';
import { formatPlan } from '../src/deploy/plan';
import { processRunner } from '../src/deploy/runner';

const ROOT = path.resolve(__dirname, '..');
// Every path in the plan (cdktf.out, agent/) is relative to the repository, wherever this runs from.
process.chdir(ROOT);

const program = new Command()
  .name('deploy-first')
  .description('First deploy of an environment: state bucket, ECR, first image, the stack, runtime check, GitHub setup')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--github-repository <owner/repo>', 'repository whose workflows may assume the CI roles (required)')
  .option('--state-bucket <bucket>', 'S3 bucket for Terraform state (default: abca-tfstate-<account>-<region>)')
  .option('--image-digest <sha256:…>', 'an agent image already pushed to abca-<env>-agent (skips the build)')
  .option('--region <region>', 'AWS region (default: $AWS_REGION)')
  .option('--github-oidc-provider-arn <arn>', 'the account already has a GitHub OIDC provider: use it')
  .option('--vpc-cidr <cidr>', 'VPC CIDR (/16, default 10.40.0.0/16)')
  .option('--no-manage-api-gateway-account', 'another environment in this account already manages the API Gateway CloudWatch role')
  .option('--apply-github', 'set the GitHub environments and variables with gh (installed and signed in)')
  .option('--github-reviewer <login...>', 'required reviewers of <env>-infra, set with --apply-github (else add them by hand)')
  .option('--outdir <dir>', 'cdktf output folder', 'cdktf.out')
  .option('--wait-timeout <seconds>', 'how long to wait for the runtime', '900')
  .option('--dry-run', 'print the plan and change nothing')
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    `
Example:
  npm run deploy:first -- --env dev --github-repository acme/abca
  npm run deploy:first -- --env dev --github-repository acme/abca --dry-run

Needs: AWS administrator credentials, terraform >= 1.10, docker buildx (unless --image-digest), npx.
A second run changes nothing; after a failure the same command resumes.
Exit: 0 deployed, 1 a step failed (run again to resume), 2 bad input or a missing tool, 3 conflict`,
  );
const opts = program.parse().opts<{
  env?: string;
  githubRepository?: string;
  stateBucket?: string;
  imageDigest?: string;
  region?: string;
  githubOidcProviderArn?: string;
  vpcCidr?: string;
  manageApiGatewayAccount: boolean;
  applyGithub?: boolean;
  githubReviewer?: string[];
  outdir: string;
  waitTimeout: string;
  dryRun?: boolean;
  json?: boolean;
}>();

runMain(
  async () => {
    const env = resolveEnv(opts.env);
    if (!opts.githubRepository)
      throw new ValidationError('--github-repository owner/repo is required: the CI roles trust only that repository', 'VALIDATION_ERROR');
    const waitTimeoutSeconds = Number(opts.waitTimeout);
    if (!Number.isInteger(waitTimeoutSeconds) || waitTimeoutSeconds < 1) throw new ValidationError('--wait-timeout takes whole seconds', 'VALIDATION_ERROR');
    const region = regionFrom(opts.region);
    const commit = gitCommit(ROOT);
    if (opts.applyGithub && !opts.dryRun && !ghReady())
      throw new ValidationError('--apply-github needs gh installed and signed in (gh auth login)', 'GH_NOT_READY');
    const plan = planFirstDeploy({
      env,
      region,
      accountId: await accountId(region),
      githubRepository: opts.githubRepository,
      stateBucket: opts.stateBucket,
      imageDigest: opts.imageDigest,
      githubOidcProviderArn: opts.githubOidcProviderArn,
      vpcCidr: opts.vpcCidr,
      manageApiGatewayAccount: opts.manageApiGatewayAccount,
      commit,
      outdir: opts.outdir,
      applyGithub: !!opts.applyGithub,
      githubReviewers: opts.githubReviewer,
      waitTimeoutSeconds,
    });
    if (opts.dryRun) {
      printPlan(!!opts.json, plan, formatPlan(plan));
      return 0;
    }
    const log = progressLog();
    const report = await applyPlan(plan, { ...awsDeps(region, plan.accountId), runner: processRunner(ROOT), log });
    const hint = !opts.applyGithub && ghReady() ? '\n(gh is signed in: run the same command with --apply-github to set these)' : '';
    // The GitHub part only matters once the roles exist: print it after a complete run.
    return printReport(!!opts.json, plan, report, report.ok && report.githubHints ? `${report.githubHints}${hint}` : '');
  },
  { json: () => !!opts.json },
);
