/**
 * rollback: back to an earlier digest (default: the last known good). Fast path when a version
 * AgentCore still keeps serves it: move the pointer and `live`, no UpdateAgentRuntime and no
 * container start. Otherwise (AgentCore deleted that version) automatically a forward publish.
 * The result's `path` (and the audit event's) says which one ran.
 */
import { NotFoundError, ValidationError } from '../../../errors';
import { isImageDigest } from '../../../platform/runtime-spec';
import { lastKnownGood, listAudit } from '../../audit';
import type { RuntimeContext } from '../../context';
import { resolveImage } from '../../image';
import { moveTo, type RuntimeOperationResult } from '../../move';
import { readPointer, readPointerAt } from '../../pointer';
import { assertOneTarget, type RollbackOptions } from './options';

export * from './options';

export async function rollbackTarget(ctx: RuntimeContext, opts: RollbackOptions): Promise<string> {
  assertOneTarget(opts);
  const name = ctx.platform.imagePointerParameter;
  let target: string | undefined;
  if (opts.toDigest !== undefined) {
    target = opts.toDigest;
  } else if (opts.toVersion !== undefined || opts.toLabel !== undefined) {
    const selector = opts.toVersion !== undefined ? String(opts.toVersion) : opts.toLabel!;
    target = await readPointerAt(ctx.clients.ssm, name, selector);
    if (target === undefined) {
      throw new NotFoundError(
        `pointer ${name} has no version or label "${selector}" (SSM keeps the last 100 versions; see runtime history)`,
        'VERSION_NOT_FOUND',
      );
    }
  } else {
    const current = (await readPointer(ctx.clients.ssm, name)).digest;
    target = lastKnownGood(await listAudit(ctx), current);
    if (!target) throw new NotFoundError(`no earlier known-good digest for "${ctx.env}" in the audit history; use --to-digest`, 'NO_ROLLBACK_TARGET');
  }
  if (!target || !isImageDigest(target)) throw new ValidationError(`rollback target "${target}" is not an image digest`, 'INVALID_DIGEST');
  return resolveImage(ctx, { imageDigest: target });
}

export async function rollbackRuntime(ctx: RuntimeContext, opts: RollbackOptions): Promise<RuntimeOperationResult> {
  const digest = await rollbackTarget(ctx, opts);
  return moveTo(ctx, 'rollback', digest, opts, { fast: true });
}
