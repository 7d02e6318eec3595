/**
 * publish: pointer → UpdateAgentRuntime → the new version READY → canary on it, smoke through
 * canary → live on it → labels and audit (docs/deployment.md, "Publishing: canary, live and
 * rollback"). The steps are a plan (../../plan.ts) the applier runs exactly; a failure before live
 * moves restores and live never moved.
 */
import type { RuntimeContext } from '../../context';
import { resolveImage } from '../../image';
import { moveTo, type RuntimeOperationResult } from '../../move';
import type { PublishOptions } from './options';

export * from './options';

export async function publishRuntime(ctx: RuntimeContext, opts: PublishOptions): Promise<RuntimeOperationResult> {
  const digest = await resolveImage(ctx, opts);
  return moveTo(ctx, 'publish', digest, opts);
}
