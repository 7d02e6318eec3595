/** The options of `promote`: its flags, defined once for scripts/promote-runtime.ts and `bgagent runtime promote`. */
import type { Command } from 'commander';
import { ValidationError } from '../../../errors';
import { assertEnvName } from '../../../platform/names';
import { addFlags, APPLY_FLAGS, applyOptionsFromFlags, type ApplyFlagValues, type ApplyOptions } from '../../options';
import { checkSourceAccess, type SourceAccess } from './source';

export interface PromoteOptions extends Omit<ApplyOptions, 'promotedFrom'> {
  /** Default: the digest `live` serves in the source environment. */
  digest?: string;
  /** The source in another account or region (./source.ts); absent = the caller's own. */
  source?: SourceAccess;
}

export interface PromoteFlags extends ApplyFlagValues {
  from?: string;
  to?: string;
  digest?: string;
  sourceRegion?: string;
  sourceProfile?: string;
  sourceRoleArn?: string;
  sourceRegistryId?: string;
  json?: boolean;
}

/** from/to/digest, then the flags every applying verb shares (smoke, reason, commit, CI run, dry run, waits). */
export function addPromoteFlags(cmd: Command): Command {
  return addFlags(
    cmd
      .option('--from <env>', 'source environment: where the digest succeeded')
      .option('--to <env>', 'target environment: its promotion policy must accept --from')
      .option('--digest <digest>', 'sha256:… to promote (default: the digest live serves in --from)')
      .option('--source-region <region>', "region of --from when it is not the target's (default: the same region)")
      .option('--source-profile <name>', 'AWS profile whose credentials read --from (another account)')
      .option('--source-role-arn <arn>', "role in --from's account to assume with your own credentials, to read --from (another account)")
      .option('--source-registry-id <account>', "account of --from's ECR registry (default: the account in its repository URL)"),
    APPLY_FLAGS,
  ).option('--json', 'print one JSON document on stdout');
}

/** Pure: flags → the environments and the verb's options. */
export function promoteOptionsFromFlags(flags: PromoteFlags, env: NodeJS.ProcessEnv = process.env): { from: string; to: string; options: PromoteOptions } {
  if (!flags.from || !flags.to) throw new ValidationError('give --from <env> and --to <env>', 'VALIDATION_ERROR');
  const source = checkSourceAccess({
    region: flags.sourceRegion,
    profile: flags.sourceProfile,
    roleArn: flags.sourceRoleArn,
    registryId: flags.sourceRegistryId,
  });
  const given = Object.values(source).some((v) => v !== undefined);
  return {
    from: assertEnvName(flags.from),
    to: assertEnvName(flags.to),
    options: { digest: flags.digest, ...(given ? { source } : {}), ...applyOptionsFromFlags(flags, env) },
  };
}
