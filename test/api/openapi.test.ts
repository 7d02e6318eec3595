/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked by an independent validator), served publicly,
 * and in step with the app: every route the app serves is described, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RepoConfigViewSchema } from '../../src/repos/repo-config';
import { ROOT } from '../support/run';
import { useApi } from './support';

const harness = useApi({ env: 'openapi', provision: false });

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    // Prepare
    const doc = (await harness().call<Doc>('GET', '/v1/openapi.json')).body;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'abca-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    // Act
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js'), file], {
      encoding: 'utf8',
    });
    // Assess
    expect(JSON.parse(run.stdout)).toEqual({ valid: true });
    expect(run.status).toBe(0);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('describes every route the app serves, and only those', async () => {
    // Prepare
    const h = harness();
    const doc = (await h.call<Doc>('GET', '/v1/openapi.json')).body;
    // Act: Hono's route table (middleware shows up as ALL) against the document's operations
    const served = new Set(
      // The console's static files (/console) are not API routes: the document describes /v1.
      h.api.app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1'))
        .map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\/$/, '').replace(/:([a-z_]+)/g, '{$1}')}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${p}`)));
    // Assess
    expect([...documented].sort()).toEqual([...served].sort());
    expect([...served].sort()).toEqual(
      [
        'GET /v1/openapi.json',
        'POST /v1/repos',
        'GET /v1/repos',
        'GET /v1/repos/{owner}/{repo}',
        'PATCH /v1/repos/{owner}/{repo}',
        'DELETE /v1/repos/{owner}/{repo}',
        'GET /v1/repos/{owner}/{repo}/history',
        'PUT /v1/repos/{owner}/{repo}/github-token',
        'POST /v1/api-keys',
        'GET /v1/api-keys',
        'DELETE /v1/api-keys/{key_id}',
        'POST /v1/tasks',
        'GET /v1/tasks',
        'GET /v1/tasks/{id}',
        'POST /v1/tasks/{id}/cancel',
        'GET /v1/environment',
        'POST /v1/users',
        'GET /v1/users',
        'DELETE /v1/users/{username}',
        'POST /v1/users/{username}/reset-password',
      ].sort(),
    );
  });

  it('describes RepoConfig input with the validation rules the API applies', async () => {
    // Act
    const doc = (await harness().call<Doc>('GET', '/v1/openapi.json')).body;
    const input = doc.components.schemas.RepoConfigInput as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      additionalProperties: boolean;
    };
    // Assess
    expect(input.required).toEqual(['repo']);
    expect(input.additionalProperties).toBe(false);
    expect(input.properties.max_budget_usd).toMatchObject({ minimum: 0.01, maximum: 100 });
    expect(input.properties.approval_gate_cap).toMatchObject({ minimum: 1, maximum: 500 });
    expect(input.properties.egress_allowlist).toMatchObject({ type: 'array', maxItems: 50 });
  });

  it('returns rows that match the RepoConfig schema it describes', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'doc/sample', egress_allowlist: ['github.com'], cedar_policies: ['permit(principal, action, resource);'] },
    });
    // Act
    const row = await h.call('GET', '/v1/repos/doc/sample', { token: h.operatorToken });
    // Assess
    expect(RepoConfigViewSchema.strict().safeParse(row.body).error).toBeUndefined();
  });
});
