/** The options of `bake` (and of `publish --bake`): written once for `bgagent runtime bake` and the publish flags. */
import { positive, type FlagDef } from '../../options';

export const BAKE_DESCRIPTION =
  "Watch the version live moved to for the release policy's bake window; compare its tasks with the previous version's; on a breach move live back (fast path), record why and exit 1";

export const BAKE_FLAGS: readonly FlagDef[] = [
  { flags: '--bake-poll-ms <ms>', description: "poll interval of the bake (default: the policy's poll_seconds)", hidden: true },
  { flags: '--bake-window-ms <ms>', description: "length of the bake window (default: the policy's window_minutes)", hidden: true },
];

export const BAKE_EXAMPLES = ['bgagent runtime bake --env prod', 'bgagent runtime bake --env prod --json'];

export interface BakeFlagValues {
  bakePollMs?: string;
  bakeWindowMs?: string;
}

export function bakeOptionsFromFlags(f: BakeFlagValues): { bakePollMs?: number; windowMs?: number } {
  return { bakePollMs: positive('--bake-poll-ms', f.bakePollMs), windowMs: positive('--bake-window-ms', f.bakeWindowMs) };
}
