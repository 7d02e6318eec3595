/** The options of `rollback`: its flags, written once for scripts/rollback-runtime.ts and `bgagent runtime rollback`. */
import { ValidationError } from '../../../errors';
import { APPLY_FLAGS, applyOptionsFromFlags, positiveInteger, type ApplyFlagValues, type ApplyOptions, type FlagDef } from '../../options';

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

/** At most one target: the flags and the verb's own options refuse two alike. */
export function assertOneTarget(opts: { toVersion?: number; toLabel?: string; toDigest?: string }): void {
  const given = [opts.toVersion, opts.toLabel, opts.toDigest].filter((v) => v !== undefined).length;
  if (given > 1) throw new ValidationError('give at most one of --to-version, --to-label, --to-digest', 'VALIDATION_ERROR');
}

export function rollbackOptionsFromFlags(f: RollbackFlagValues, env: NodeJS.ProcessEnv = process.env): RollbackOptions {
  const toVersion = positiveInteger('--to-version', f.toVersion);
  assertOneTarget({ toVersion, toLabel: f.toLabel, toDigest: f.toDigest });
  const apply = applyOptionsFromFlags(f, env);
  return { toVersion, toLabel: f.toLabel, toDigest: f.toDigest, ...apply, reason: apply.reason ?? 'rollback' };
}
