/**
 * The audit table's rows, declared once: one table (`tables.audit`), keyed by `stream` and
 * `event_id`, holding the runtime's deploy history (`runtime#<env>`) and the config layer's
 * repository and API-key events (`repos#<env>`, `api-keys#<env>`). Other readers (the console,
 * `history`, promotion in another environment) depend on these attribute names: they are the contract.
 */

/** Every row: the key, and when (ISO 8601; `event_id` starts with it, so events sort by time). */
export interface AuditRow {
  stream: string;
  event_id: string;
  at: string;
}

export const runtimeStream = (env: string) => `runtime#${env}`;
export const reposAuditStream = (env: string) => `repos#${env}`;
export const apiKeysAuditStream = (env: string) => `api-keys#${env}`;
export const policyAuditStream = (env: string) => `policy#${env}`;

/** The audit log's kinds, one stream each per environment. */
export const AUDIT_KINDS = ['runtime', 'repos', 'api-keys', 'policy'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export function auditStream(kind: AuditKind, env: string): string {
  return `${kind}#${env}`;
}

/** `refused`: never started (e.g. the deploy lock was held); nothing was written but this event. */
export type AuditOutcome = 'succeeded' | 'failed' | 'rolled_back' | 'repaired' | 'refused';

/**
 * Where a promoted image came from: recorded in the target's audit event and its pointer
 * version's description, so `history` can follow a digest back environment by environment.
 */
export interface PromotedFrom {
  env: string;
  /** The source pointer version that made the digest live there. */
  pointer_version?: number;
  /** The source audit event (stream `runtime#<env>`) of that publish or promotion. */
  event_id: string;
}

/** A move of the image pointer and `live` (stream `runtime#<env>`). */
export interface RuntimeAuditEvent extends AuditRow {
  action: 'publish' | 'rollback' | 'restore' | 'reapply';
  actor: string;
  from_digest?: string;
  to_digest: string;
  pointer_version?: number;
  runtime_version?: string;
  git_commit?: string;
  ci_run_url?: string;
  reason?: string;
  outcome: AuditOutcome;
  error?: string;
  /** Set when the move promoted a digest from another environment (`runtime promote`). */
  promoted_from?: PromotedFrom;
  /** On a succeeded publish: whether a smoke check ran and passed (promotion requires `passed`). */
  smoke?: 'passed' | 'skipped';
  /** fast: `live` moved to a version that already served the digest; forward: a new version. */
  path?: string;
  /** Whether this run moved the `live` endpoint (a failed publish never does). */
  live_moved?: boolean;
  /** The version `live` serves after this event. */
  live_version?: string;
}

export type ConfigAuditAction =
  | 'onboard'
  | 'restore'
  | 'update'
  | 'remove'
  | 'set_github_token'
  | 'provisioned'
  | 'provisioning_failed'
  | 'import'
  | 'api_key_create'
  | 'api_key_revoke'
  | 'policy_set';

/** A change of a repository or an API key (streams `repos#<env>`, `api-keys#<env>`). Never holds a secret. */
export interface ConfigAuditEvent extends AuditRow {
  action: ConfigAuditAction;
  actor: string;
  /** `owner/repo` or the API key id. */
  subject: string;
  before?: unknown;
  after?: unknown;
  /** Settings whose value changed (updates). */
  changed?: string[];
  request_id?: string;
  reason?: string;
  /** The repository row's (or policy parameter's) version after the change. */
  version?: number;
}

/** A change of a policy parameter (stream `policy#<env>`): `subject` is the parameter's name. */
export type PolicyAuditEvent = ConfigAuditEvent & { action: 'policy_set' };

/** Stands in for a secret reference (a token secret's ARN) in `before`/`after`: the event says it changed, not to what. */
export const SECRET_CHANGED = 'changed';
