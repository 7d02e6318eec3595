/** tsx scripts/publish-runtime.ts --env <env> (--image-digest sha256:… | --image-tag <tag>) [--smoke-cmd …] [--reason …] [--dry-run] [--json] — flags: src/runtime/verbs/publish/options.ts */
import { Command } from 'commander';
import { emit, progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { resolveEnv } from '../src/platform/names';
import { formatOperation, openRuntime } from '../src/runtime';
import { formatBake } from '../src/runtime/format';
import { addFlags } from '../src/runtime/options';
import {
  PUBLISH_DESCRIPTION,
  PUBLISH_EXAMPLES,
  PUBLISH_FLAGS,
  publishOptionsFromFlags,
  publishRuntime,
  type PublishFlagValues,
} from '../src/runtime/verbs/publish';

const program = addFlags(
  new Command().name('publish-runtime').description(PUBLISH_DESCRIPTION).option('--env <env>', 'environment (default: $ABCA_ENV or dev)'),
  PUBLISH_FLAGS,
)
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    `\nExamples:\n${PUBLISH_EXAMPLES.map((e) => `  ${e}`).join('\n')}\n\nExit: 0 live and pointer agree (with --bake: the bake passed or saw not enough traffic), 1 failed (restored; live never moved) or the bake breached (live moved back), 2 bad input, 3 lock held\n`,
  );
const opts = program.parse().opts<PublishFlagValues & { env?: string; json?: boolean }>();

runMain(
  async () => {
    const options = publishOptionsFromFlags(opts);
    const ctx = await openRuntime(resolveEnv(opts.env), { log: progressLog() });
    const result = await publishRuntime(ctx, options);
    const bake = result.bake ? `\n${formatBake(result.bake)}` : '';
    emit(!!opts.json, result, formatOperation(result) + bake, formatOperation(result, 'markdown') + bake);
  },
  { json: () => !!opts.json },
);
