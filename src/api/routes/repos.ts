/** `/v1/repos`: onboard, list, read, patch, remove, set the GitHub token, and a repository's history. */
import { Hono } from 'hono';
import type { ApiDeps } from '../../wiring/api';
import { etagOf, parseBody, repoFromPath, repoListQuery, versionMatchOf } from '../http';
import { RepoConfigInputSchema, RepoConfigPatchSchema, type RepoConfig } from '../../repos/repo-config';
import { historyEntry } from '../../repos/history';
import { rowView } from '../../repos/rows';
import { GithubTokenBodySchema } from '../../repos/token-secrets';
import { callerOf, readJson, requirePermission, type ApiEnv } from '../middleware';

export function reposRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const read = requirePermission(deps.authenticator, 'repos:read');
  const write = requirePermission(deps.authenticator, 'repos:write');
  const withEtag = (row: RepoConfig) => ({ ETag: etagOf(row) });

  r.post('/', write, async (c) => {
    const row = await deps.repos.onboard(callerOf(c), parseBody(RepoConfigInputSchema, await readJson(c), 'repository'));
    return c.json(rowView(row), 201, { ...withEtag(row), Location: `/v1/repos/${row.repo}` });
  });

  r.get('/', read, async (c) => {
    const page = await deps.repos.list(repoListQuery({ status: c.req.query('status'), limit: c.req.query('limit'), next_token: c.req.query('next_token') }));
    return c.json({ items: page.items.map(rowView), ...(page.nextToken ? { next_token: page.nextToken } : {}) });
  });

  r.get('/:owner/:repo', read, async (c) => {
    const row = await deps.repos.get(repoFromPath(c.req.param('owner'), c.req.param('repo')));
    return c.json(rowView(row), 200, withEtag(row));
  });

  r.get('/:owner/:repo/history', read, async (c) => {
    const repo = repoFromPath(c.req.param('owner'), c.req.param('repo'));
    const { limit, nextToken } = repoListQuery({ limit: c.req.query('limit'), next_token: c.req.query('next_token') });
    const page = await deps.repos.history(repo, { limit, nextToken });
    return c.json({ repo, items: page.items.map(historyEntry), ...(page.nextToken ? { next_token: page.nextToken } : {}) });
  });

  r.patch('/:owner/:repo', write, async (c) => {
    const repo = repoFromPath(c.req.param('owner'), c.req.param('repo'));
    const patch = parseBody(RepoConfigPatchSchema, await readJson(c), 'patch');
    const row = await deps.repos.patch(callerOf(c), repo, patch, versionMatchOf(c.req.header('if-match')));
    return c.json(rowView(row), 200, withEtag(row));
  });

  r.delete('/:owner/:repo', write, async (c) => {
    const repo = repoFromPath(c.req.param('owner'), c.req.param('repo'));
    const row = await deps.repos.remove(callerOf(c), repo, versionMatchOf(c.req.header('if-match')));
    return c.json(rowView(row), 200, withEtag(row));
  });

  r.put('/:owner/:repo/github-token', write, async (c) => {
    const repo = repoFromPath(c.req.param('owner'), c.req.param('repo'));
    const { token } = parseBody(GithubTokenBodySchema, await readJson(c), 'token body');
    const row = await deps.repos.setGithubToken(callerOf(c), repo, token, versionMatchOf(c.req.header('if-match')));
    return c.json(rowView(row), 200, withEtag(row));
  });

  return r;
}
