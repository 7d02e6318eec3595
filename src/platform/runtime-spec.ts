/**
 * What the AgentCore runtime looks like, shared by the cdktf stack, the local bootstrap and the
 * publish path: the digest format, the digest-pinned container URI, the environment it gets.
 */
import type { PlatformNames } from './names';

/** SSM AllowedPattern of the pointer; also checked client-side (moto does not enforce it). */
export const IMAGE_DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';
const DIGEST_RE = new RegExp(IMAGE_DIGEST_PATTERN);

export function isImageDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/** `<repository url>@<digest>`: by digest, never by a mutable tag. */
export function containerUri(repositoryUrl: string, digest: string): string {
  return `${repositoryUrl}@${digest}`;
}

/** Splits a container URI into repository URL and digest; undefined when not digest-pinned. */
export function parseContainerUri(uri: string): { repositoryUrl: string; digest: string } | undefined {
  const at = uri.lastIndexOf('@');
  if (at < 0) return undefined;
  const digest = uri.slice(at + 1);
  return isImageDigest(digest) ? { repositoryUrl: uri.slice(0, at), digest } : undefined;
}

/**
 * Environment variables the agent container receives: its env, its region and the one table it
 * writes, its task rows: TASK_TABLE_NAME, as upstream ABCA's agent reads it (docs/agent-contract.md
 * §4), and TASKS_TABLE for images built before that contract. The agent reads no other table, and
 * its execution role grants no other.
 */
export function runtimeEnvironment(names: PlatformNames, region: string, account?: string): Record<string, string> {
  return {
    // The per-task session role (docs/agent-contract.md §4): set, the agent fails closed without it.
    ...(account ? { AGENT_SESSION_ROLE_ARN: `arn:aws:iam::${account}:role/${names.roles.agentSession}` } : {}),
    ABCA_ENV: names.env,
    AWS_REGION: region,
    TASKS_TABLE: names.tables.tasks,
    TASK_TABLE_NAME: names.tables.tasks,
  };
}

export const RUNTIME_PROTOCOL = 'HTTP' as const;

/** Session lifecycle of the runtime (seconds), the same in the stack and the local bootstrap. */
export const RUNTIME_LIFECYCLE = { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 } as const;

/**
 * Named AgentCore endpoints. Tasks invoke `live` only (never DEFAULT, which AgentCore moves to the
 * latest version on its own); publish smokes a new version through `canary` before `live` moves.
 */
export const LIVE_ENDPOINT = 'live';
export const CANARY_ENDPOINT = 'canary';
