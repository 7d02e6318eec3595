/**
 * HTTP parsing for the routes: bodies against their schemas, repository ids from path segments,
 * list queries, and the ETag / If-Match pair that carries a row's version. The services below take
 * typed input and know nothing of HTTP.
 */
import type { z } from 'zod';
import { ValidationError } from '../errors';
import { canonicalRepoId, repoIdProblem, REPO_STATUSES, zodIssueCode, zodProblems, type RepoConfig, type RepoStatus } from '../repos/repo-config';
import type { VersionMatch } from '../repos/service';

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

/** `GET /v1/repos` query strings to the store's listing options; 400 for a bad status or limit. */
export function repoListQuery(query: { status?: string; limit?: string; next_token?: string }): { status?: RepoStatus; limit: number; nextToken?: string } {
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
  return { status, limit, nextToken: query.next_token || undefined };
}

export function etagOf(row: Pick<RepoConfig, 'version'>): string {
  return `"${row.version}"`;
}

/**
 * Whether an If-Match header allows writing over `version`: absent allows, `*` allows, otherwise
 * one of the listed tags (quoted or not, weak prefix ignored) must name this version.
 */
export function ifMatchAllows(header: string | undefined | null, version: number): boolean {
  if (header === undefined || header === null) return true;
  return header
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((t) => t === '*' || t === String(version));
}

/** The If-Match header as the service's version precondition; none without the header. */
export function versionMatchOf(header: string | undefined): VersionMatch | undefined {
  return header === undefined ? undefined : (version) => ifMatchAllows(header, version);
}
