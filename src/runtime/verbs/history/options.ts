/** The options of `history` (`bgagent runtime history`). */
import type { FlagDef } from '../../options';

export const HISTORY_DESCRIPTION =
  "The pointer's versions with their audit: who, when, commit, outcome (versions older than SSM's 100 come from the audit table, marked *)";
export const HISTORY_FLAGS: readonly FlagDef[] = [{ flags: '--limit <n>', description: 'at most this many entries, newest first', default: '50' }];
export const HISTORY_EXAMPLES = [
  'bgagent runtime history --env dev',
  'bgagent runtime history --env prod --limit 200 --json | jq ".entries[] | select(.outcome != \\"succeeded\\")"',
];
