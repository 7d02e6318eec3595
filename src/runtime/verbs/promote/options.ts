/** The options of `promote`: its flags, defined once for scripts/promote-runtime.ts and `bgagent runtime promote`. */
import type { Command } from 'commander';
import { ValidationError } from '../../../errors';
import { assertEnvName } from '../../../platform/names';
import { addFlags, APPLY_FLAGS, applyOptionsFromFlags, type ApplyFlagValues, type ApplyOptions } from '../../options';

export interface PromoteOptions extends Omit<ApplyOptions, 'promotedFrom'> {
  /** Default: the digest `live` serves in the source environment. */
  digest?: string;
}

export interface PromoteFlags extends ApplyFlagValues {
  from?: string;
  to?: string;
  digest?: string;
  json?: boolean;
}

/** from/to/digest, then the flags every applying verb shares (smoke, reason, commit, CI run, dry run, waits). */
export function addPromoteFlags(cmd: Command): Command {
  return addFlags(
    cmd
      .option('--from <env>', 'source environment: where the digest succeeded')
      .option('--to <env>', 'target environment: its promotion policy must accept --from')
      .option('--digest <digest>', 'sha256:… to promote (default: the digest live serves in --from)'),
    APPLY_FLAGS,
  ).option('--json', 'print one JSON document on stdout');
}

/** Pure: flags → the environments and the verb's options. */
export function promoteOptionsFromFlags(flags: PromoteFlags, env: NodeJS.ProcessEnv = process.env): { from: string; to: string; options: PromoteOptions } {
  if (!flags.from || !flags.to) throw new ValidationError('give --from <env> and --to <env>', 'VALIDATION_ERROR');
  return { from: assertEnvName(flags.from), to: assertEnvName(flags.to), options: { digest: flags.digest, ...applyOptionsFromFlags(flags, env) } };
}
