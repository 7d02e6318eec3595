/** tsx scripts/runtime-status.ts --env <env> [--terraform-state <file>] [--json] — exit 0 in sync, 3 on drift */
import { Command } from 'commander';
import { emit } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { resolveEnv } from '../src/platform/names';
import { formatStatus, openRuntime, runtimeStatus } from '../src/runtime';

const program = new Command()
  .name('runtime-status')
  .description('Compare the image pointer, the live runtime (and Terraform state, if given); non-zero on drift')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--terraform-state <file>', 'terraform.tfstate or `terraform show -json` output to compare too')
  .option('--json', 'print one JSON document on stdout')
  .addHelpText('after', '\nExample:\n  tsx scripts/runtime-status.ts --env dev\n\nExit: 0 in sync, 3 drift (the output names the side and the fixing command)\n');
const opts = program.parse().opts<{ env?: string; terraformState?: string; json?: boolean }>();

runMain(
  async () => {
    const report = await runtimeStatus(await openRuntime(resolveEnv(opts.env)), { terraformState: opts.terraformState });
    emit(!!opts.json, report, formatStatus(report), formatStatus(report, 'markdown'));
    return report.inSync ? 0 : 3;
  },
  { json: () => !!opts.json },
);
