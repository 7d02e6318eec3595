/**
 * Repository onboarding as operations: onboard (or restore), read, list, patch, remove, set the
 * GitHub token. Validation, guardrails, precedence (IaC rows are read-only), optimistic concurrency,
 * the repository limit and the audit trail are decided here; HTTP is only the transport.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ZodError, type z } from 'zod';
import { ConflictError, NotFoundError, OperationFailedError, ValidationError } from '../errors';
import type { Guardrails, GuardrailsSource } from '../platform/guardrails';
import type { ConfigAudit } from './audit';
import {
  canonicalRepoId,
  RepoConfigInputSchema,
  RepoConfigPatchSchema,
  repoIdProblem,
  repoPolicyProblems,
  zodIssueCode,
  zodProblems,
  REPO_STATUSES,
  type RepoConfig,
  type RepoStatus,
} from './repo-config';
import { ifMatchAllows, onboardedRow, patchedRow, removedRow, rowView, settingsOf } from './rows';
import { LimitReachedError, StaleWriteError, type ListPage, type RepoStore } from './store';
import { withOptimisticRetry } from '../aws/optimistic-retry';
import { GithubTokenBodySchema, storeGithubToken, tokenSecretName } from './token-secrets';

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

export const LIST_LIMIT = { default: 50, max: 100 } as const;

/** Parses a body against a schema: 400 with every problem, field by field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = zodProblems(parsed.error);
  throw new ValidationError(
    `invalid ${what}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    zodIssueCode(parsed.error) ?? 'VALIDATION_ERROR',
    { problems },
  );
}

/** `owner` and `repo` path segments to a canonical id; 400 for anything GitHub would not accept. */
export function repoFromPath(owner: string, name: string): string {
  const repo = `${owner}/${name}`;
  const problem = repo.length > 140 ? 'too long' : repoIdProblem(repo);
  if (problem) throw new ValidationError(`invalid repository id: ${problem}`, 'INVALID_REPO_ID');
  return canonicalRepoId(repo);
}

export class RepoService {
  constructor(private readonly deps: RepoServiceDeps) {}

  /** The current guardrails; a parameter a host broke is our failure (500 with the reason), not the caller's. */
  private async guardrails(): Promise<Guardrails> {
    try {
      return await this.deps.guardrails.get();
    } catch (e) {
      const why = e instanceof SyntaxError ? 'not JSON' : e instanceof ZodError ? 'not valid guardrails' : undefined;
      if (!why) throw e;
      throw new OperationFailedError(`the guardrails parameter is ${why}; fix /abca/${this.deps.env}/guardrails`, 'GUARDRAILS_INVALID', undefined, {
        cause: e,
      });
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

  async list(query: { status?: string; limit?: string; next_token?: string }): Promise<ListPage> {
    let status: RepoStatus | undefined;
    if (query.status !== undefined) {
      if (!(REPO_STATUSES as readonly string[]).includes(query.status)) {
        throw new ValidationError(`status must be one of ${REPO_STATUSES.join(', ')}`, 'VALIDATION_ERROR');
      }
      status = query.status as RepoStatus;
    }
    let limit: number = LIST_LIMIT.default;
    if (query.limit !== undefined) {
      if (!/^\d{1,3}$/.test(query.limit) || Number(query.limit) < 1 || Number(query.limit) > LIST_LIMIT.max) {
        throw new ValidationError(`limit must be an integer from 1 to ${LIST_LIMIT.max}`, 'VALIDATION_ERROR');
      }
      limit = Number(query.limit);
    }
    return this.deps.store.list({ status, limit, nextToken: query.next_token || undefined });
  }

  /** Onboards a repository, or restores a removed one with the new settings. */
  async onboard(caller: Caller, body: unknown): Promise<RepoConfig> {
    const input = parseBody(RepoConfigInputSchema, body, 'repository');
    const repo = canonicalRepoId(input.repo);
    const guardrails = await this.guardrails();
    this.assertGuardrails({ ...input, repo }, guardrails);

    const existing = await this.deps.store.get(repo);
    if (existing) this.assertApiOwned(existing);
    if (existing && existing.status !== 'removed') {
      throw new ConflictError(`repository ${repo} is already onboarded (status ${existing.status}); change it with PATCH`, 'REPO_EXISTS');
    }
    const row = onboardedRow({ ...input, repo }, this.now(), existing);
    try {
      await this.deps.store.create(row, guardrails.max_repos, existing);
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
    await this.deps.audit.record('repos', {
      action: existing ? 'restore' : 'onboard',
      actor: caller.actor,
      subject: repo,
      request_id: caller.requestId,
      before: existing ? rowView(existing) : undefined,
      after: rowView(row),
    });
    this.deps.onChange?.(repo);
    return row;
  }

  async patch(caller: Caller, repo: string, body: unknown, ifMatch?: string): Promise<RepoConfig> {
    const patch = parseBody(RepoConfigPatchSchema, body, 'patch');
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
  async setGithubToken(caller: Caller, repo: string, body: unknown, ifMatch?: string): Promise<RepoConfig> {
    const { token } = parseBody(GithubTokenBodySchema, body, 'token body');
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
  async remove(caller: Caller, repo: string, ifMatch?: string): Promise<RepoConfig> {
    const done = await withOptimisticRetry(this.retryOptions(repo, ifMatch), async () => {
      const row = await this.get(repo);
      this.assertApiOwned(row);
      if (!ifMatchAllows(ifMatch, row.version)) throw preconditionFailed(repo, row.version);
      if (row.status === 'removed') return { row };
      const next = removedRow(row, this.now());
      await this.deps.store.remove(next, row.version);
      return { row, next };
    });
    if (!done.next) return done.row;
    await this.deps.audit.record('repos', {
      action: 'remove',
      actor: caller.actor,
      subject: repo,
      request_id: caller.requestId,
      before: rowView(done.row),
      after: rowView(done.next),
    });
    this.deps.onChange?.(repo);
    return done.next;
  }

  /** Read, check, change, conditional write; on a lost race, 412 with If-Match, else try again. */
  private async update(
    caller: Caller,
    repo: string,
    ifMatch: string | undefined,
    action: 'update' | 'set_github_token',
    change: (row: RepoConfig) => { row: RepoConfig; changed: string[] },
  ): Promise<RepoConfig> {
    const { row, next } = await withOptimisticRetry(this.retryOptions(repo, ifMatch), async () => {
      const row = this.assertWritable(await this.get(repo), ifMatch);
      const next = change(row);
      if (next.changed.length) await this.deps.store.replace(next.row, row.version);
      return { row, next };
    });
    if (!next.changed.length) return row;
    const before = settingsOf(row);
    const after = settingsOf(next.row);
    await this.deps.audit.record('repos', {
      action,
      actor: caller.actor,
      subject: repo,
      request_id: caller.requestId,
      changed: next.changed,
      before: Object.fromEntries(next.changed.map((f) => [f, before[f] ?? null])),
      after: Object.fromEntries(next.changed.map((f) => [f, after[f] ?? null])),
    });
    this.deps.onChange?.(repo);
    return next.row;
  }

  /** A lost race is retried unless the caller pinned the version (If-Match): then it is a 412. */
  private retryOptions(repo: string, ifMatch: string | undefined) {
    return {
      attempts: ifMatch === undefined ? WRITE_ATTEMPTS : 1,
      lost: (e: unknown) => e instanceof StaleWriteError,
      exhausted: () => preconditionFailed(repo),
    };
  }

  private assertWritable(row: RepoConfig, ifMatch: string | undefined): RepoConfig {
    this.assertApiOwned(row);
    if (row.status === 'removed') throw new ConflictError(`repository ${row.repo} is removed; onboard it again (POST /v1/repos) to restore it`, 'REPO_REMOVED');
    if (!ifMatchAllows(ifMatch, row.version)) throw preconditionFailed(row.repo, row.version);
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

  private assertGuardrails(
    input: {
      repo?: string;
      model_id?: string | null;
      github_token_secret_arn?: string | null;
      egress_allowlist?: readonly string[];
      runtime_arn?: string | null;
    },
    guardrails: Guardrails,
  ): void {
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
