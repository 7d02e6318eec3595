/** The options of `status`: its flags, written once for scripts/runtime-status.ts and `bgagent runtime status`. */
import type { FlagDef } from '../../options';

export const STATUS_DESCRIPTION =
  'Compare the image pointer, what the live endpoint serves, the latest runtime version (and Terraform state, if given); exit 3 on drift';
export const STATUS_FLAGS: readonly FlagDef[] = [
  { flags: '--terraform-state <file>', description: 'terraform.tfstate or `terraform show -json` output to compare too' },
];
export const STATUS_EXAMPLES = ['tsx scripts/runtime-status.ts --env dev', 'bgagent runtime status --env prod --terraform-state show.json --json'];

/** `status --all`, for scripts/runtime-status.ts and `bgagent runtime status` alike. */
export const STATUS_ALL_FLAG: FlagDef = {
  flags: '--all',
  description: 'every environment in this account and region, side by side (exit 3 if any drifts; --env is ignored)',
};
