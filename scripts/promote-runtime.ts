/** tsx scripts/promote-runtime.ts --from <env> --to <env> [--digest sha256:…] [--source-region R] [--source-profile P | --source-role-arn A] [--source-registry-id N] [--smoke-cmd …] [--reason …] [--dry-run] [--json] */
import { appendFileSync } from 'node:fs';
import { Command } from 'commander';
import { describeError, exitCodeOf, isAbcaError } from '../src/errors';
import { emit, progressLog } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { openRuntime } from '../src/runtime/context';
import { assertPromotionAccepted } from '../src/runtime/verbs/promote/check';
import { addPromoteFlags, isRemoteSource, promoteOptionsFromFlags, promoteRuntime, sourceClients, type PromoteFlags } from '../src/runtime/verbs/promote';
import { formatPromotion } from '../src/runtime/verbs/promote/format';

const program = addPromoteFlags(
  new Command()
    .name('promote-runtime')
    .description(
      "Publish in --to a digest that succeeded in --from: policy and eligibility checked first, the image copied into the target's ECR repository with the same digest, then an ordinary publish that records promoted_from",
    ),
).addHelpText(
  'after',
  '\nExample:\n  tsx scripts/promote-runtime.ts --from staging --to prod --smoke-cmd "tsx scripts/smoke-runtime.ts --env prod"\n  tsx scripts/promote-runtime.ts --from staging --to prod --source-role-arn arn:aws:iam::111111111111:role/abca-staging-promotion-source --source-region eu-west-1\n\nExit: 0 live in --to serves the digest, 1 failed (target restored), 2 refused (policy, digest) or bad input, 3 lock held\n',
);
const flags = program.parse().opts<PromoteFlags>();

runMain(
  async () => {
    const { from, to, options } = promoteOptionsFromFlags(flags);
    const log = progressLog();
    const sourceAccess = options.source && isRemoteSource(options.source) ? sourceClients(options.source) : undefined;
    const target = await openRuntime(to, { log });
    // The policy first: the target's publisher may read only the sources it accepts.
    const result = await assertPromotionAccepted(target, from)
      .then(async () => promoteRuntime(await openRuntime(from, { clients: sourceAccess, log }), target, options))
      .catch((e: unknown) => {
        // The job summary says why too, not only the log: a refusal is the common answer.
        const summary = process.env.GITHUB_STEP_SUMMARY;
        const what = exitCodeOf(e) === 2 ? 'refused' : 'failed';
        if (summary)
          appendFileSync(summary, `### ABCA runtime promote — ${from} → ${to}: ${what}${isAbcaError(e) ? ` (${e.code})` : ''}\n\n${describeError(e)}\n`);
        throw e;
      });
    emit(!!flags.json, result, formatPromotion(result), formatPromotion(result, 'markdown'));
  },
  { json: () => !!flags.json },
);
