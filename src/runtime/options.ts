/**
 * What the verbs share of their options: the options of every verb that moves `live`, and the
 * flag machinery. Each verb's own flags live in its folder (verbs/<verb>/options.ts), written
 * once: scripts/*-runtime.ts and `bgagent runtime …` both add them with `addFlags` and read them
 * with the verb's own `…FromFlags`, so the two cannot drift (they had: the rollback script dropped
 * --ci-run-url, and --poll-interval-ms parsed two ways). Light on purpose: bgagent loads it at start-up.
 */
import { Option, type Command } from 'commander';
import { ValidationError } from '../errors';
import type { PromotedFrom } from './promoted-from';

export const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_POLL_INTERVAL_MS = 5000;

/** Options of every verb that moves `live` (publish, rollback, promote's publish, reapply). */
export interface ApplyOptions {
  smokeCmd?: string;
  reason?: string;
  dryRun?: boolean;
  gitCommit?: string;
  ciRunUrl?: string;
  timeoutMs?: number;
  pollIntervalMs?: number;
  lockTtlMs?: number;
  /** Set by `runtime promote`: recorded in every audit event and the pointer description. */
  promotedFrom?: PromotedFrom;
}

export interface FlagDef {
  flags: string;
  description: string;
  default?: string;
  /** Not in --help (tuning for tests and benches). */
  hidden?: boolean;
}

export function addFlags(cmd: Command, defs: readonly FlagDef[]): Command {
  for (const d of defs) {
    const option = new Option(d.flags, d.description);
    if (d.default !== undefined) option.default(d.default);
    if (d.hidden) option.hideHelp();
    cmd.addOption(option);
  }
  return cmd;
}

/** One parse for every numeric flag: a positive finite number, else exit 2. */
export function positive(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${flag} must be a positive number, got "${raw}"`, 'VALIDATION_ERROR');
  return n;
}

export function positiveInteger(flag: string, raw: string | undefined): number | undefined {
  const n = positive(flag, raw);
  if (n !== undefined && !Number.isInteger(n)) throw new ValidationError(`${flag} must be a positive integer, got "${raw}"`, 'VALIDATION_ERROR');
  return n;
}

/** The GitHub Actions run this is part of, when it is one. */
export function ciRunUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
}

/** Flags of every verb that moves `live` (publish, rollback). */
export const APPLY_FLAGS: readonly FlagDef[] = [
  {
    flags: '--smoke-cmd <cmd>',
    description:
      'shell command run once the new version serves on the canary endpoint, with RUNTIME_ARN, RUNTIME_VERSION, RUNTIME_QUALIFIER (canary) and IMAGE_DIGEST set; non-zero restores and live never moves',
  },
  { flags: '--reason <text>', description: 'why (recorded in the audit)' },
  { flags: '--git-commit <sha>', description: 'commit recorded in the audit (default: $GITHUB_SHA)' },
  { flags: '--ci-run-url <url>', description: 'CI run recorded in the audit (default: the GitHub Actions run, when in one)' },
  { flags: '--dry-run', description: 'print the plan (exactly the steps a real run would execute), write nothing' },
  { flags: '--poll-interval-ms <ms>', description: 'poll interval while waiting for a version or an endpoint', hidden: true },
  { flags: '--timeout-ms <ms>', description: 'give up waiting after this long', hidden: true },
  { flags: '--lock-ttl-ms <ms>', description: 'deploy lock expiry', hidden: true },
];

export interface ApplyFlagValues {
  smokeCmd?: string;
  reason?: string;
  gitCommit?: string;
  ciRunUrl?: string;
  dryRun?: boolean;
  pollIntervalMs?: string;
  timeoutMs?: string;
  lockTtlMs?: string;
}

export function applyOptionsFromFlags(f: ApplyFlagValues, env: NodeJS.ProcessEnv = process.env): ApplyOptions {
  return {
    smokeCmd: f.smokeCmd,
    reason: f.reason,
    dryRun: f.dryRun,
    gitCommit: f.gitCommit ?? (env.GITHUB_SHA || undefined),
    ciRunUrl: f.ciRunUrl ?? ciRunUrlFromEnv(env),
    pollIntervalMs: positive('--poll-interval-ms', f.pollIntervalMs),
    timeoutMs: positive('--timeout-ms', f.timeoutMs),
    lockTtlMs: positive('--lock-ttl-ms', f.lockTtlMs),
  };
}
