/** tsx scripts/publish-runtime.ts --env <env> (--image-digest sha256:… | --image-tag <tag>) [--smoke-cmd …] [--reason …] [--dry-run] [--json] */
import { Command, Option } from 'commander';
import { emit, progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { resolveEnv } from '../src/platform/names';
import { formatOperation, openRuntime, publishRuntime } from '../src/runtime';

const program = new Command()
  .name('publish-runtime')
  .description('Point the AgentCore runtime at a new image: SSM pointer, UpdateAgentRuntime, wait READY, smoke; restores the previous image on failure')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--image-digest <digest>', 'sha256:… digest (or <repo url>@sha256:…) in the platform ECR repository')
  .option('--image-tag <tag>', 'tag in the platform ECR repository, resolved to its digest')
  .option('--smoke-cmd <cmd>', 'shell command run after READY with RUNTIME_ARN, RUNTIME_VERSION, IMAGE_DIGEST set; non-zero rolls back')
  .option('--reason <text>', 'why (recorded in the audit)')
  .option('--dry-run', 'print the plan, write nothing')
  .option('--json', 'print one JSON document on stdout')
  .addOption(new Option('--poll-interval-ms <ms>', 'poll interval while UPDATING').default('5000').hideHelp())
  .addOption(new Option('--lock-ttl-ms <ms>', 'deploy lock expiry').hideHelp())
  .addHelpText('after', '\nExample:\n  tsx scripts/publish-runtime.ts --env dev --image-tag git-3f2a1c --smoke-cmd "tsx scripts/smoke-runtime.ts --env dev"\n\nExit: 0 live and pointer agree, 1 failed (restored), 2 bad input, 3 lock held\n');
type Opts = { env?: string; imageDigest?: string; imageTag?: string; smokeCmd?: string; reason?: string; dryRun?: boolean; json?: boolean; pollIntervalMs: string; lockTtlMs?: string };
const opts = program.parse().opts<Opts>();

runMain(
  async () => {
    const ctx = await openRuntime(resolveEnv(opts.env), { log: progressLog() });
    const result = await publishRuntime(ctx, {
      imageDigest: opts.imageDigest,
      imageTag: opts.imageTag,
      smokeCmd: opts.smokeCmd,
      reason: opts.reason,
      dryRun: opts.dryRun,
      gitCommit: process.env.GITHUB_SHA,
      ciRunUrl: process.env.GITHUB_RUN_ID ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined,
      pollIntervalMs: Number(opts.pollIntervalMs),
      lockTtlMs: opts.lockTtlMs ? Number(opts.lockTtlMs) : undefined,
    });
    emit(!!opts.json, result, formatOperation(result), formatOperation(result, 'markdown'));
  },
  { json: () => !!opts.json },
);
