/**
 * `bgagent runtime promote --from <env> --to <env> [--digest D]`: the same verb and flags as
 * scripts/promote-runtime.ts (src/runtime/verbs/promote/options.ts), with AWS credentials like CI.
 */
import { appendFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addPromoteFlags, promoteOptionsFromFlags, type PromoteFlags } from '../../runtime/verbs/promote/options';
import { examples, output } from '../common';
import { readConfig } from '../config';

function configuredRegion(): string | undefined {
  try {
    return readConfig()?.region;
  } catch {
    return undefined;
  }
}

export async function runtimeClients() {
  const { createClients } = await import('../../aws/clients');
  return createClients({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? configuredRegion() });
}

function jobSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown}\n`);
}

export function promoteCommand(group: Command): void {
  const promote = addPromoteFlags(
    group
      .command('promote')
      .description(
        "Publish in --to a digest that succeeded in --from (policy and eligibility checked first; the image copied into the target's repository with the same digest; promoted_from recorded)",
      ),
  );
  examples(
    promote,
    'bgagent runtime promote --from staging --to prod --dry-run',
    'bgagent runtime promote --from dev --to staging --digest sha256:… --smoke-cmd "tsx scripts/smoke-runtime.ts --env staging"',
  );
  promote.action(async (flags: PromoteFlags) => {
    const out = output(flags);
    const [{ promoteRuntime, isRemoteSource, sourceClients }, { formatPromotion }, { openRuntime }, { assertPromotionAccepted }] = await Promise.all([
      import('../../runtime/verbs/promote'),
      import('../../runtime/verbs/promote/format'),
      import('../../runtime/context'),
      import('../../runtime/verbs/promote/check'),
    ]);
    const { from, to, options } = promoteOptionsFromFlags(flags);
    const progress = out.progress(`promoting ${from} → ${to}`);
    try {
      const clients = await runtimeClients();
      const log = (line: string) => progress.update(line);
      // Another account or region: the source is read with its own credentials (--source-*).
      const fromClients = options.source && isRemoteSource(options.source) ? sourceClients(options.source) : clients;
      const target = await openRuntime(to, { clients, log });
      // The policy first: the target's publisher may read only the sources it accepts.
      await assertPromotionAccepted(target, from);
      const result = await promoteRuntime(await openRuntime(from, { clients: fromClients, log }), target, options);
      progress.stop();
      out.result(result, () => formatPromotion(result));
      jobSummary(formatPromotion(result, 'markdown'));
    } finally {
      progress.stop();
    }
  });
}

/** `bgagent runtime status --all`: every environment side by side; exit 3 if any one drifts. */
export async function statusAllAction(opts: { json?: boolean }): Promise<void> {
  const out = output(opts);
  const [{ statusAll }, { formatStatusAll }, { openRuntime }] = await Promise.all([
    import('../../runtime/verbs/status/all'),
    import('../../runtime/verbs/status/format'),
    import('../../runtime/context'),
  ]);
  const clients = await runtimeClients();
  const report = await statusAll(clients.ssm, (env) => openRuntime(env, { clients }));
  out.result(report, () => formatStatusAll(report));
  jobSummary(formatStatusAll(report, 'markdown'));
  if (!report.inSync) process.exitCode = 3;
}

/** `bgagent runtime history --env E --digest D`: the promotion chain of D, E first. */
export async function historyChainAction(env: string, digest: string, opts: { json?: boolean }): Promise<void> {
  const out = output(opts);
  const [{ promotionChain, formatChain }, { openRuntime }, { ValidationError }, { isImageDigest }] = await Promise.all([
    import('../../runtime/promotion-chain'),
    import('../../runtime/context'),
    import('../../errors'),
    import('../../platform/runtime-spec'),
  ]);
  if (!isImageDigest(digest)) throw new ValidationError(`"${digest}" is not an image digest (sha256:<64 lowercase hex>)`, 'INVALID_DIGEST');
  const clients = await runtimeClients();
  const chain = await promotionChain(await openRuntime(env, { clients }), digest, (e) => openRuntime(e, { clients }));
  out.result({ env, digest, chain }, () => formatChain(digest, chain));
}
