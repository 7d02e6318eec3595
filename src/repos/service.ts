/**
 * Repository onboarding as operations: onboard (or restore), read, list, patch, remove, set the
 * GitHub token. Validation, guardrails, precedence (IaC rows are read-only), optimistic concurrency,
 * the repository limit and the audit trail are decided here. Input arrives parsed and typed
 * (src/api/http.ts parses bodies, queries and If-Match).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ZodError } from 'zod';
import { ConflictError, NotFoundError, OperationFailedError, ValidationError } from '../errors';
import type { Guardrails, GuardrailsSource } from '../platform/guardrails';
import type { ConfigAudit } from '../audit/config';
import {
  canonicalRepoId,
  repoPolicyProblems,
  type RepoConfig,
  type RepoConfigInput,
  type RepoConfigPatch,
  type RepoPolicyInput,
  type RepoStatus,
} from './repo-config';
import type { ConfigAuditAction, ConfigAuditEvent } from '../audit/events';
import type { AuditPage } from '../audit/store';
import { repoChange } from './history';
import { onboardedRow, patchedRow, removedRow } from './rows';
import { LimitReachedError, StaleWriteError, type ListPage, type RepoStore } from './store';
import { withOptimisticRetry } from '../aws/optimistic-retry';
import { storeGithubToken, tokenSecretName } from './token-secrets';

export interface RepoServiceDeps {
  env: string;
  store: RepoStore;
  audit: ConfigAudit;
  guardrails: GuardrailsSource;
  secrets: SecretsManagerClient;
  /** `abca/<env>/` */
  secretPrefix: string;
  /** `arn:<partition>:secretsmanager:<region>:<account>:secret:abca/<env>/` */
  secretArnPrefix: string;
  /** `arn:<partition>:bedrock-agentcore:<region>:<account>:runtime/`: runtime_arn must be the platform's account and region. */
  runtimeArnPrefix?: string;
  /** Called after every committed change (the local server runs the provisioner from here). */
  onChange?: (repo: string) => void;
  now?: () => Date;
}

/** Who asks, for the audit trail. */
export interface Caller {
  actor: string;
  requestId?: string;
}

/** Tries of a write that lost a race, when the caller sent no If-Match (then: 412). */
const WRITE_ATTEMPTS = 5;

/**
 * A write's precondition on the row's version (HTTP: If-Match). Without one, a write that lost a
 * race is tried again; with one, it fails with PRECONDITION_FAILED.
 */
export type VersionMatch = (version: number) => boolean;

export class RepoService {
  constructor(private readonly deps: RepoServiceDeps) {}

  /**
   * The current guardrails. A parameter written by hand around `bgagent guardrails` that its schema
   * refuses is the platform's state, not the caller's input: 503 GUARDRAILS_INVALID naming the field.
   */
  private async guardrails(): Promise<Guardrails> {
    try {
      return await this.deps.guardrails.get();
    } catch (e) {
      const why =
        e instanceof SyntaxError
          ? 'not JSON'
          : e instanceof ZodError
            ? `not valid guardrails (${e.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ')})`
            : undefined;
      if (!why) throw e;
      throw new OperationFailedError(
        `the guardrails parameter is ${why}; fix /abca/${this.deps.env}/guardrails (bgagent guardrails edit --env ${this.deps.env})`,
        'GUARDRAILS_INVALID',
        undefined,
        { cause: e },
      );
    }
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  async get(repo: string): Promise<RepoConfig> {
    const row = await this.deps.store.get(repo);
    if (!row) throw new NotFoundError(`repository ${repo} is not onboarded`, 'REPO_NOT_FOUND');
    return row;
  }

  async list(query: { status?: RepoStatus; limit: number; nextToken?: string }): Promise<ListPage> {
    return this.deps.store.list(query);
  }

  /** Onboards a repository, or restores a removed one with the new settings. */
  async onboard(caller: Caller, input: RepoConfigInput): Promise<RepoConfig> {
    const repo = canonicalRepoId(input.repo);
    const guardrails = await this.guardrails();
    this.assertGuardrails({ ...input, repo }, guardrails);

    const existing = await this.deps.store.get(repo);
    if (existing) this.assertApiOwned(existing);
    if (existing && existing.status !== 'removed') {
      throw new ConflictError(`repository ${repo} is already onboarded (status ${existing.status}); change it with PATCH`, 'REPO_EXISTS');
    }
    const row = onboardedRow({ ...input, repo }, this.now(), existing);
    const event = this.event(caller, existing ? 'restore' : 'onboard', existing, row, true);
    try {
      await this.deps.store.create(row, guardrails.max_repos, this.deps.audit.putOf(event), existing);
    } catch (e) {
      if (e instanceof LimitReachedError) {
        throw new ConflictError(
          `the repository limit is reached (max_repos ${guardrails.max_repos}); remove a repository or raise the limit in the guardrails`,
          'REPO_LIMIT_REACHED',
          {
            max_repos: guardrails.max_repos,
          },
        );
      }
      if (e instanceof StaleWriteError) throw new ConflictError(`repository ${repo} was onboarded by another request just now`, 'REPO_EXISTS');
      throw e;
    }
    this.deps.onChange?.(repo);
    return row;
  }

  async patch(caller: Caller, repo: string, patch: RepoConfigPatch, ifMatch?: VersionMatch): Promise<RepoConfig> {
    const guardrails = await this.guardrails();
    // The organization was checked at onboarding; `repo` names whose token secret this may be.
    this.assertGuardrails(
      {
        repo,
        model_id: patch.model_id,
        github_token_secret_arn: patch.github_token_secret_arn,
        egress_allowlist: patch.egress_allowlist,
        runtime_arn: patch.runtime_arn,
      },
      { ...guardrails, allowed_orgs: [] },
    );
    return this.update(caller, repo, ifMatch, 'update', (row) => patchedRow(row, patch, this.now()));
  }

  /** Stores the token under the platform prefix and points the row at it. The token is never returned. */
  async setGithubToken(caller: Caller, repo: string, token: string, ifMatch?: VersionMatch): Promise<RepoConfig> {
    const current = this.assertWritable(await this.get(repo), ifMatch);
    const name = tokenSecretName(this.deps.secretPrefix, current.repo);
    const arn = await storeGithubToken(this.deps.secrets, name, token, `GitHub token for ${current.repo} (ABCA ${this.deps.env})`);
    return this.update(caller, repo, ifMatch, 'set_github_token', (row) => {
      const next = patchedRow(row, { github_token_secret_arn: arn }, this.now());
      // A new token value behind the same ARN still needs checking: provision again regardless.
      return next.changed.length ? next : patchedRow({ ...row, github_token_secret_arn: undefined }, { github_token_secret_arn: arn }, this.now());
    });
  }

  /** Soft delete: `removed` with a TTL; onboarding again restores it. Idempotent. */
  async remove(caller: Caller, repo: string, ifMatch?: VersionMatch): Promise<RepoConfig> {
    const done = await withOptimisticRetry(this.retryOptions(repo, ifMatch), async () => {
      const row = await this.get(repo);
      this.assertApiOwned(row);
      if (ifMatch && !ifMatch(row.version)) throw preconditionFailed(repo, row.version);
      if (row.status === 'removed') return { row };
      const next = removedRow(row, this.now());
      await this.deps.store.remove(next, row.version, this.deps.audit.putOf(this.event(caller, 'remove', row, next, true)));
      return { row, next };
    });
    if (!done.next) return done.row;
    this.deps.onChange?.(repo);
    return done.next;
  }

  /** Read, check, change, conditional write; on a lost race, 412 with If-Match, else try again. */
  private async update(
    caller: Caller,
    repo: string,
    ifMatch: VersionMatch | undefined,
    action: 'update' | 'set_github_token',
    change: (row: RepoConfig) => { row: RepoConfig; changed: string[] },
  ): Promise<RepoConfig> {
    const { row, next } = await withOptimisticRetry(this.retryOptions(repo, ifMatch), async () => {
      const row = this.assertWritable(await this.get(repo), ifMatch);
      const next = change(row);
      if (next.changed.length) await this.deps.store.replace(next.row, row.version, this.deps.audit.putOf(this.event(caller, action, row, next.row, false)));
      return { row, next };
    });
    if (!next.changed.length) return row;
    this.deps.onChange?.(repo);
    return next.row;
  }

  /** The event of a change, written in the row's own transaction. */
  private event(caller: Caller, action: ConfigAuditAction, before: RepoConfig | undefined, after: RepoConfig, lifecycle: boolean): ConfigAuditEvent {
    return this.deps.audit.event('repos', {
      action,
      actor: caller.actor,
      subject: after.repo,
      request_id: caller.requestId,
      version: after.version,
      ...repoChange(before, after, lifecycle),
    });
  }

  /** One page of a repository's history, newest first (IaC rows too: their history is read-only, not hidden). */
  async history(repo: string, query: { limit: number; nextToken?: string }): Promise<AuditPage<ConfigAuditEvent>> {
    await this.get(repo);
    return this.deps.audit.history('repos', repo, query);
  }

  /** A lost race is retried unless the caller pinned the version (If-Match): then it is a 412. */
  private retryOptions(repo: string, ifMatch: VersionMatch | undefined) {
    return {
      attempts: ifMatch === undefined ? WRITE_ATTEMPTS : 1,
      lost: (e: unknown) => e instanceof StaleWriteError,
      exhausted: () => preconditionFailed(repo),
    };
  }

  private assertWritable(row: RepoConfig, ifMatch: VersionMatch | undefined): RepoConfig {
    this.assertApiOwned(row);
    if (row.status === 'removed') throw new ConflictError(`repository ${row.repo} is removed; onboard it again (POST /v1/repos) to restore it`, 'REPO_REMOVED');
    if (ifMatch && !ifMatch(row.version)) throw preconditionFailed(row.repo, row.version);
    return row;
  }

  private assertApiOwned(row: RepoConfig): void {
    if (row.source === 'iac') {
      throw new ConflictError(
        `repository ${row.repo} is declared in IaC (a Blueprint) and is read-only through the API; change it in the stack`,
        'REPO_MANAGED_BY_IAC',
      );
    }
  }

  private assertGuardrails(input: RepoPolicyInput, guardrails: Guardrails): void {
    const problems = repoPolicyProblems(input, {
      allowedOrgs: guardrails.allowed_orgs,
      allowedModels: guardrails.allowed_models,
      secretArnPrefix: this.deps.secretArnPrefix,
      ownTokenSecretOnly: true,
      runtimeArnPrefix: this.deps.runtimeArnPrefix,
      egress: guardrails.egress,
    });
    if (problems.length) {
      throw new ValidationError(`refused by the guardrails: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, 'GUARDRAIL_VIOLATION', {
        problems,
      });
    }
  }
}

function preconditionFailed(repo: string, current?: number): ConflictError {
  return new ConflictError(
    current === undefined
      ? `repository ${repo} changed while this request was applied; read it again and retry`
      : `repository ${repo} is at version ${current}, not the one If-Match names; read it again and retry`,
    'PRECONDITION_FAILED',
    current === undefined ? undefined : { version: current },
  );
}
