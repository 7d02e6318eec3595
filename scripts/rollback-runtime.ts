/** tsx scripts/rollback-runtime.ts --env <env> [--to-version N | --to-label L | --to-digest D] — default: last known good; flags: src/runtime/verbs/rollback/options.ts */
import { Command } from 'commander';
import { emit, progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { resolveEnv } from '../src/platform/names';
import { formatOperation, openRuntime } from '../src/runtime';
import { addFlags } from '../src/runtime/options';
import {
  ROLLBACK_DESCRIPTION,
  ROLLBACK_EXAMPLES,
  ROLLBACK_FLAGS,
  rollbackOptionsFromFlags,
  rollbackRuntime,
  type RollbackFlagValues,
} from '../src/runtime/verbs/rollback';

const program = addFlags(
  new Command().name('rollback-runtime').description(ROLLBACK_DESCRIPTION).option('--env <env>', 'environment (default: $ABCA_ENV or dev)'),
  ROLLBACK_FLAGS,
)
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    `\nExamples:\n${ROLLBACK_EXAMPLES.map((e) => `  ${e}`).join('\n')}\n\nExit: 0 live and pointer agree, 1 failed (restored), 2 bad input, 3 lock held\n`,
  );
const opts = program.parse().opts<RollbackFlagValues & { env?: string; json?: boolean }>();

runMain(
  async () => {
    const options = rollbackOptionsFromFlags(opts);
    const ctx = await openRuntime(resolveEnv(opts.env), { log: progressLog() });
    const result = await rollbackRuntime(ctx, options);
    emit(!!opts.json, result, formatOperation(result), formatOperation(result, 'markdown'));
  },
  { json: () => !!opts.json },
);
