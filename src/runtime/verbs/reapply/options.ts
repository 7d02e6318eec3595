/** The options of `reapply` (`bgagent runtime reapply`; the image-pointer custom resource builds them itself). */
import { APPLY_FLAGS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUT_MS, positive, type FlagDef } from '../../options';

export const REAPPLY_DESCRIPTION = "Make live serve the pointer's image on the runtime's latest configuration (what the image-pointer custom resource runs)";

export const REAPPLY_FLAGS: readonly FlagDef[] = APPLY_FLAGS.filter((f) => /^--(reason|dry-run|poll-interval-ms|timeout-ms) /.test(`${f.flags} `));
export const REAPPLY_EXAMPLES = ['bgagent runtime reapply --env dev --reason "repair after a crashed publish"'];

export interface ReapplyOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  reason?: string;
  dryRun?: boolean;
}

export function reapplyOptionsFromFlags(f: { reason?: string; dryRun?: boolean; pollIntervalMs?: string; timeoutMs?: string }): ReapplyOptions {
  return {
    reason: f.reason,
    dryRun: f.dryRun,
    pollIntervalMs: positive('--poll-interval-ms', f.pollIntervalMs) ?? DEFAULT_POLL_INTERVAL_MS,
    timeoutMs: positive('--timeout-ms', f.timeoutMs) ?? DEFAULT_TIMEOUT_MS,
  };
}
