/**
 * A repository's history through the API and the built `bgagent`: every change with its before
 * and after, diff between versions, revert to an earlier version under today's guardrails.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { settled, useApi, MODEL } from '../api/support';
import { bgagent, tempConfigDir, useBuiltCli, type CliRun } from '../cli/support';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';

const harness = useApi({ env: 'confighist' });

interface Entry {
  action: string;
  actor: string;
  version?: number;
  request_id?: string;
  changed?: string[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

describe('repository history, diff and revert', () => {
  useBuiltCli();
  let apiKey: string;
  let keyId: string;
  const cli = (args: string[]): Promise<CliRun> =>
    bgagent(args, { env: { BGAGENT_CONFIG_DIR: tempConfigDir(), ABCA_API_URL: harness().api.url, BGAGENT_API_KEY: apiKey }, timeoutMs: 60_000 });

  beforeAll(async () => {
    const h = harness();
    const key = await h.call<{ api_key: string; key_id: string }>('POST', '/v1/api-keys', {
      token: h.adminToken,
      body: { name: 'history-cli', scopes: ['repos:read', 'repos:write'] },
    });
    apiKey = key.body.api_key;
    keyId = key.body.key_id;
  });

  it('lists five changes made through the API and the CLI with their before and after; diff shows them; revert restores version 2', async () => {
    // Prepare: version 1, then five changes, alternating API (alice) and CLI (the API key)
    const h = harness();
    const repo = 'hist/widgets';
    const patch = async (body: Record<string, unknown>) => expect((await h.call('PATCH', `/v1/repos/${repo}`, { token: h.adminToken, body })).status).toBe(200);
    expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo, max_turns: 10 } })).status).toBe(201);
    await patch({ max_turns: 20, build_command: 'make' }); // v2
    expect((await cli(['repo', 'update', repo, '--max-turns', '30'])).code).toBe(0); // v3
    await patch({ lint_command: 'make lint' }); // v4
    expect((await cli(['repo', 'update', repo, '--build-command', 'npm ci'])).code).toBe(0); // v5
    await patch({ build_command: null, model_id: MODEL }); // v6
    await settled(h, repo);
    // Act
    const api = await h.call<{ repo: string; items: Entry[] }>('GET', `/v1/repos/${repo}/history`, { token: h.adminToken });
    const history = await cli(['repo', 'history', repo, '--json']);
    const table = await cli(['repo', 'history', repo]);
    const lastDiff = await cli(['repo', 'diff', repo, '--json']);
    const wideDiff = await cli(['repo', 'diff', repo, '--from', '2', '--to', '6', '--json']);
    const humanDiff = await cli(['repo', 'diff', repo, '--from', '2', '--to', '6']);
    const revert = await cli(['repo', 'revert', repo, '--to-version', '2', '--json']);
    const after = await h.call<Record<string, unknown>>('GET', `/v1/repos/${repo}`, { token: h.adminToken });
    // Assess: newest first, five updates with the right before and after, who and which version
    expect(api.status).toBe(200);
    const updates = api.body.items.filter((e) => e.action === 'update');
    expect(updates.map((e) => e.version)).toEqual([6, 5, 4, 3, 2]);
    expect(updates.map((e) => e.actor)).toEqual(['user:alice', `api_key:${keyId}`, 'user:alice', `api_key:${keyId}`, 'user:alice']);
    expect(updates.map(({ changed, before, after }) => ({ changed, before, after }))).toEqual([
      { changed: ['build_command', 'model_id'], before: { build_command: 'npm ci', model_id: null }, after: { build_command: null, model_id: MODEL } },
      { changed: ['build_command'], before: { build_command: 'make' }, after: { build_command: 'npm ci' } },
      { changed: ['lint_command'], before: { lint_command: null }, after: { lint_command: 'make lint' } },
      { changed: ['max_turns'], before: { max_turns: 20 }, after: { max_turns: 30 } },
      { changed: ['build_command', 'max_turns'], before: { build_command: null, max_turns: 10 }, after: { build_command: 'make', max_turns: 20 } },
    ]);
    for (const e of updates) expect(e.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.body.items.at(-1)).toMatchObject({ action: 'onboard', version: 1, actor: 'user:alice' });
    expect(history.code).toBe(0);
    expect(history.json().items).toEqual(api.body.items);
    expect(table.stdout).toContain('max_turns: 20 → 30');
    expect(table.stdout).toContain(`api_key:${keyId}`);
    expect(lastDiff.json()).toEqual({
      repo,
      from: 5,
      to: 6,
      changes: [
        { field: 'build_command', from: 'npm ci', to: null },
        { field: 'model_id', from: null, to: MODEL },
      ],
    });
    expect(wideDiff.json().changes).toEqual([
      { field: 'build_command', from: 'make', to: null },
      { field: 'lint_command', from: null, to: 'make lint' },
      { field: 'max_turns', from: 20, to: 30 },
      { field: 'model_id', from: null, to: MODEL },
    ]);
    expect(humanDiff.stdout).toContain('max_turns: 20 → 30');
    expect(revert.code).toBe(0);
    expect(revert.json()).toMatchObject({ repo, to_version: 2, from_version: 6, version: 7, written: true });
    expect(after.body).toMatchObject({ version: 7, max_turns: 20, build_command: 'make' });
    expect(after.body).not.toHaveProperty('lint_command');
    expect(after.body).not.toHaveProperty('model_id');
    const newest = (await h.call<{ items: Entry[] }>('GET', `/v1/repos/${repo}/history?limit=3`, { token: h.adminToken })).body.items.find(
      (e) => e.action === 'update',
    );
    expect(newest).toMatchObject({ version: 7, actor: `api_key:${keyId}`, changed: ['build_command', 'lint_command', 'max_turns', 'model_id'] });
  });

  it("refuses a revert that today's guardrails forbid, with the reason, writing nothing", async () => {
    // Prepare: version 2 used a model that the guardrails no longer allow
    const h = harness();
    const repo = 'hist/guarded';
    const [allowed, other] = DEFAULT_GUARDRAILS.allowed_models as [string, string];
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo } });
    await h.call('PATCH', `/v1/repos/${repo}`, { token: h.adminToken, body: { model_id: other } });
    await h.call('PATCH', `/v1/repos/${repo}`, { token: h.adminToken, body: { model_id: allowed } });
    await h.setGuardrails({ allowed_models: [allowed] });
    try {
      // Act
      const revert = await cli(['repo', 'revert', repo, '--to-version', '2']);
      const row = await h.call<Record<string, unknown>>('GET', `/v1/repos/${repo}`, { token: h.adminToken });
      // Assess
      expect(revert.code).toBe(2);
      expect(revert.errors().join('\n')).toMatch(/guardrails.*model_id/);
      expect(row.body).toMatchObject({ version: 3, model_id: allowed });
    } finally {
      await h.setGuardrails({});
    }
  });

  it('shows token secret changes as "changed", never the ARN', async () => {
    // Prepare
    const h = harness();
    const repo = 'hist/token';
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo } });
    const put = await h.call<Record<string, unknown>>('PUT', `/v1/repos/${repo}/github-token`, {
      token: h.adminToken,
      body: { token: `ghp_${'x'.repeat(36)}` },
    });
    // Act
    const res = await h.call<{ items: Entry[] }>('GET', `/v1/repos/${repo}/history`, { token: h.adminToken });
    // Assess
    expect(res.body.items[0]).toMatchObject({
      action: 'set_github_token',
      changed: ['github_token_secret_arn'],
      before: { github_token_secret_arn: null },
      after: { github_token_secret_arn: 'changed' },
    });
    expect(res.text).not.toContain(String(put.body.github_token_secret_arn));
  });

  it('pages newest first, and shows an IaC row its history read-only (revert refused)', async () => {
    // Prepare
    const h = harness();
    const repo = 'hist/paged';
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo } });
    for (const n of [2, 3, 4]) await h.call('PATCH', `/v1/repos/${repo}`, { token: h.adminToken, body: { max_turns: n } });
    await h.clients.doc.send(
      new PutCommand({
        TableName: h.platform.tables.repos,
        Item: { repo: 'hist/iac', status: 'active', source: 'iac', version: 1, onboarded_at: 'x', updated_at: 'x', compute_type: 'agentcore', max_turns: 5 },
      }),
    );
    // Act
    const first = await h.call<{ items: Entry[]; next_token?: string }>('GET', `/v1/repos/${repo}/history?limit=2`, { token: h.adminToken });
    const second = await h.call<{ items: Entry[]; next_token?: string }>('GET', `/v1/repos/${repo}/history?limit=2&next_token=${first.body.next_token}`, {
      token: h.adminToken,
    });
    const iac = await h.call<{ items: Entry[] }>('GET', '/v1/repos/hist/iac/history', { token: h.adminToken });
    const iacRevert = await cli(['repo', 'revert', 'hist/iac', '--to-version', '1']);
    const missing = await h.call('GET', '/v1/repos/hist/nothing/history', { token: h.adminToken });
    const badToken = await h.call('GET', `/v1/repos/${repo}/history?next_token=abc`, { token: h.adminToken });
    // Assess
    const versions = [...first.body.items, ...second.body.items].filter((e) => e.action !== 'provisioned').map((e) => e.version);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_token).toEqual(expect.any(String));
    expect(versions).toEqual([...versions].sort((a, b) => b! - a!));
    expect(iac.status).toBe(200);
    expect(iac.body.items).toEqual([]);
    expect(iacRevert.code).toBe(3);
    expect(iacRevert.errors().join('\n')).toContain('IaC');
    expect(missing.status).toBe(404);
    expect(badToken.status).toBe(400);
  });
});
