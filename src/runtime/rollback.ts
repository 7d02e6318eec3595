/**
 * rollback: back to an earlier digest (default: the last known good). Fast path when a version
 * AgentCore still keeps serves it: move the pointer and `live`, no UpdateAgentRuntime and no
 * container start. Otherwise (AgentCore deleted that version) automatically a forward publish.
 * The result's `path` (and the audit event's) says which one ran.
 */
import { NotFoundError, ValidationError } from '../errors';
import { isImageDigest } from '../platform/runtime-spec';
import type { RuntimeContext } from './context';
import { APPLY_FLAGS, applyOptionsFromFlags, positiveInteger, type ApplyFlagValues, type FlagDef } from './flags';
import type { ApplyOptions, RuntimeOperationResult } from './move';

export interface RollbackOptions extends ApplyOptions {
  toVersion?: number;
  toLabel?: string;
  toDigest?: string;
}

export const ROLLBACK_DESCRIPTION =
  'Return live to an earlier image (default: the last known good digest): in seconds when a runtime version still serves it, else a forward publish';

export const ROLLBACK_FLAGS: readonly FlagDef[] = [
  { flags: '--to-version <n>', description: 'pointer version to return to' },
  { flags: '--to-label <label>', description: 'pointer label to return to (e.g. previous)' },
  { flags: '--to-digest <digest>', description: 'digest to return to' },
  ...APPLY_FLAGS,
];

export const ROLLBACK_EXAMPLES = [
  'tsx scripts/rollback-runtime.ts --env dev            # last known good',
  'bgagent runtime rollback --env dev --to-label previous',
  'bgagent runtime rollback --env dev --to-version 12 --reason "bad release"',
];

export type RollbackFlagValues = ApplyFlagValues & { toVersion?: string; toLabel?: string; toDigest?: string };

export function rollbackOptionsFromFlags(f: RollbackFlagValues, env: NodeJS.ProcessEnv = process.env): RollbackOptions {
  const toVersion = positiveInteger('--to-version', f.toVersion);
  const given = [toVersion, f.toLabel, f.toDigest].filter((v) => v !== undefined).length;
  if (given > 1) throw new ValidationError('give at most one of --to-version, --to-label, --to-digest', 'VALIDATION_ERROR');
  const apply = applyOptionsFromFlags(f, env);
  return { toVersion, toLabel: f.toLabel, toDigest: f.toDigest, ...apply, reason: apply.reason ?? 'rollback' };
}

export async function rollbackTarget(ctx: RuntimeContext, opts: RollbackOptions): Promise<string> {
  const given = [opts.toVersion, opts.toLabel, opts.toDigest].filter((v) => v !== undefined).length;
  if (given > 1) throw new ValidationError('give at most one of --to-version, --to-label, --to-digest', 'VALIDATION_ERROR');
  const [{ GetParameterCommand }, { lastKnownGood, listAudit }, { readPointer }, { resolveImage }] = await Promise.all([
    import('@aws-sdk/client-ssm'),
    import('./audit'),
    import('./pointer'),
    import('./image'),
  ]);
  const name = ctx.platform.imagePointerParameter;
  let target: string | undefined;
  if (opts.toDigest !== undefined) {
    target = opts.toDigest;
  } else if (opts.toVersion !== undefined || opts.toLabel !== undefined) {
    const selector = opts.toVersion !== undefined ? String(opts.toVersion) : opts.toLabel!;
    try {
      target = (await ctx.clients.ssm.send(new GetParameterCommand({ Name: `${name}:${selector}` }))).Parameter?.Value;
    } catch (e) {
      const n = (e as { name?: string }).name;
      if (n === 'ParameterVersionNotFound' || n === 'ParameterNotFound' || n === 'ValidationException') {
        throw new NotFoundError(
          `pointer ${name} has no version or label "${selector}" (SSM keeps the last 100 versions; see runtime history)`,
          'VERSION_NOT_FOUND',
        );
      }
      throw e;
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
  const { moveTo } = await import('./move');
  return moveTo(ctx, 'rollback', digest, opts, { fast: true });
}
