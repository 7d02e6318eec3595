/** tsx scripts/runtime-status.ts --env <env> [--terraform-state <file>] [--json] — exit 0 in sync, 3 on drift; flags: src/runtime/verbs/status/options.ts */
import { Command } from 'commander';
import { emit } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { resolveEnv } from '../src/platform/names';
import { openRuntime } from '../src/runtime';
import { addFlags } from '../src/runtime/options';
import { runtimeStatus, STATUS_ALL_FLAG, STATUS_DESCRIPTION, STATUS_EXAMPLES, STATUS_FLAGS } from '../src/runtime/verbs/status';
import { statusAll } from '../src/runtime/verbs/status/all';
import { formatStatus, formatStatusAll } from '../src/runtime/verbs/status/format';
import { createClients } from '../src/aws/clients';

const program = addFlags(
  new Command().name('runtime-status').description(STATUS_DESCRIPTION).option('--env <env>', 'environment (default: $ABCA_ENV or dev)'),
  [...STATUS_FLAGS, STATUS_ALL_FLAG],
)
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    `\nExamples:\n${STATUS_EXAMPLES.map((e) => `  ${e}`).join('\n')}\n\nExit: 0 in sync, 3 drift (the output names the side and the fixing command)\n`,
  );
const opts = program.parse().opts<{ env?: string; terraformState?: string; json?: boolean; all?: boolean }>();

runMain(
  async () => {
    if (opts.all) {
      const clients = createClients();
      const all = await statusAll(clients.ssm, (env) => openRuntime(env, { clients }));
      emit(!!opts.json, all, formatStatusAll(all), formatStatusAll(all, 'markdown'));
      return all.inSync ? 0 : 3;
    }
    const report = await runtimeStatus(await openRuntime(resolveEnv(opts.env)), { terraformState: opts.terraformState });
    emit(!!opts.json, report, formatStatus(report), formatStatus(report, 'markdown'));
    return report.inSync ? 0 : 3;
  },
  { json: () => !!opts.json },
);
