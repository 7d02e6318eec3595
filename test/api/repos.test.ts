/**
 * The repository lifecycle over real HTTP on the local server (moto behind it): onboard →
 * provisioning → active, read with ETag, list with pagination and status filter, patch with
 * If-Match, soft delete and restore, IaC rows read-only, the GitHub token route, and audit events.
 */
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConfigAudit } from '../../src/audit/config';
import { REPO_COUNTER_KEY, RepoCounter } from '../../src/repos/counter';
import { MODEL, settled, useApi } from './support';

const harness = useApi({ env: 'repos' });
type Row = Record<string, unknown> & { repo: string; status: string; version: number };

/** Each test onboards the rows it uses (no test reads another test's rows): POST, then provisioned. */
async function onboarded(h: ReturnType<typeof harness>, repo: string, body: Record<string, unknown> = {}): Promise<Row> {
  const res = await h.call<Row>('POST', '/v1/repos', { token: h.adminToken, body: { repo, ...body } });
  expect(res.status).toBe(201);
  return (await settled(h, repo)) as Row;
}

describe('onboarding', () => {
  it('onboards with defaults, answers 201 with the row and its ETag, then the provisioner makes it active', async () => {
    // Prepare
    const h = harness();
    // Act
    const res = await h.call<Row>('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'Acme/Widgets', model_id: MODEL, build_command: 'npm ci', egress_allowlist: ['*.PyPI.org'] },
    });
    const after = await settled(h, 'acme/widgets');
    // Assess
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({
      repo: 'acme/widgets',
      status: 'provisioning',
      source: 'api',
      version: 1,
      model_id: MODEL,
      max_turns: 100,
      approval_gate_cap: 25,
      egress_allowlist: ['*.pypi.org'],
    });
    expect(res.body).not.toHaveProperty('expires_at');
    expect(after).toMatchObject({ repo: 'acme/widgets', status: 'active', version: 1 });
  });

  it('refuses to onboard a repository twice, whatever the case of its name (409 REPO_EXISTS)', async () => {
    // Prepare
    const h = harness();
    await onboarded(h, 'dup/widgets');
    // Act
    const res = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'DUP/widgets' } });
    // Assess
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'REPO_EXISTS', message: expect.stringContaining('dup/widgets') } });
  });

  it('marks a repository failed, with the reason, when its token secret does not exist', async () => {
    // Prepare
    const h = harness();
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${h.platform.secretPrefix}github-token/acme/broken-AbCdEf`;
    // Act
    const res = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'acme/broken', github_token_secret_arn: arn } });
    const after = await settled(h, 'acme/broken');
    // Assess
    expect(res.status).toBe(201);
    expect(after).toMatchObject({ status: 'failed', status_reason: expect.stringContaining('does not exist') });
    // Readers see status_reason: it names the field, not the ARN (account id, names).
    expect(String((after as { status_reason?: string }).status_reason)).not.toContain('123456789012');
  });

  it('activates a repository whose token secret exists under the platform prefix', async () => {
    // Prepare
    const h = harness();
    const secret = await h.clients.secrets.send(new CreateSecretCommand({ Name: `${h.platform.secretPrefix}github-token/acme/gizmos`, SecretString: 'ghp_x' }));
    // Act
    const res = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'acme/gizmos', github_token_secret_arn: secret.ARN } });
    const after = await settled(h, 'acme/gizmos');
    // Assess
    expect(res.status).toBe(201);
    expect(after).toMatchObject({ status: 'active', github_token_secret_arn: secret.ARN });
  });
});

describe('reading', () => {
  it('returns one row with its ETag, 404 REPO_NOT_FOUND for an unknown one', async () => {
    // Prepare
    const h = harness();
    await onboarded(h, 'read/widgets');
    // Act
    const found = await h.call<Row>('GET', '/v1/repos/Read/Widgets', { token: h.operatorToken });
    const missing = await h.call('GET', '/v1/repos/acme/nothing-here', { token: h.operatorToken });
    // Assess
    expect(found.status).toBe(200);
    expect(found.headers.get('etag')).toBe(`"${found.body.version}"`);
    expect(found.body.repo).toBe('read/widgets');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'REPO_NOT_FOUND', message: expect.any(String) } });
  });

  it('lists page by page with next_token, and filters by status', async () => {
    // Prepare
    const h = harness();
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: `list/${name}` } })).status).toBe(201);
    }
    const missingSecret = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${h.platform.secretPrefix}github-token/list/broken-AbCdEf`;
    await onboarded(h, 'list/broken', { github_token_secret_arn: missingSecret });
    // Act: walk every page two at a time
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await h.call<{ items: Row[]; next_token?: string }>('GET', `/v1/repos?limit=2${next ? `&next_token=${next}` : ''}`, {
        token: h.operatorToken,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r) => r.repo));
      next = page.body.next_token;
      pages++;
    } while (next && pages < 20);
    const failed = await h.call<{ items: Row[] }>('GET', '/v1/repos?status=failed', { token: h.operatorToken });
    // Assess
    expect(seen.filter((r) => r.startsWith('list/')).sort()).toEqual(['list/broken', 'list/p1', 'list/p2', 'list/p3', 'list/p4', 'list/p5']);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(REPO_COUNTER_KEY);
    expect(failed.body.items.map((r) => r.repo)).toContain('list/broken');
    expect(failed.body.items.filter((r) => r.repo.startsWith('list/')).map((r) => r.repo)).toEqual(['list/broken']);
    expect(failed.body.items.every((r) => r.status === 'failed')).toBe(true);
  });

  it('refuses a next_token it did not hand out, and a bad limit or status (400)', async () => {
    // Prepare
    const h = harness();
    // Act
    const replies = await Promise.all(
      [
        '/v1/repos?next_token=bm90LWEtdG9rZW4',
        '/v1/repos?next_token=%7B%7D',
        '/v1/repos?limit=0',
        '/v1/repos?limit=101',
        '/v1/repos?limit=ten',
        '/v1/repos?status=gone',
      ].map((p) => h.call('GET', p, { token: h.operatorToken })),
    );
    // Assess
    expect(replies.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(replies.map((r) => (r.body as { error: { code: string } }).error.code)).toEqual([
      'INVALID_NEXT_TOKEN',
      'INVALID_NEXT_TOKEN',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
    ]);
  });
});

describe('changing', () => {
  it('patches with If-Match: new version and ETag, back to provisioning, then active; null clears a setting', async () => {
    // Prepare
    const h = harness();
    await onboarded(h, 'change/patch', { build_command: 'npm ci' });
    const before = await h.call<Row>('GET', '/v1/repos/change/patch', { token: h.adminToken });
    // Act
    const res = await h.call<Row>('PATCH', '/v1/repos/change/patch', {
      token: h.adminToken,
      headers: { 'if-match': before.headers.get('etag')! },
      body: { max_turns: 42, build_command: null },
    });
    const after = await settled(h, 'change/patch');
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ max_turns: 42, status: 'provisioning', version: before.body.version + 1 });
    expect(res.body).not.toHaveProperty('build_command');
    expect(res.headers.get('etag')).toBe(`"${before.body.version + 1}"`);
    expect(after).toMatchObject({ max_turns: 42, status: 'active', version: before.body.version + 1 });
  });

  it('answers 412 PRECONDITION_FAILED for a stale If-Match and changes nothing', async () => {
    // Prepare: a row at version 2
    const h = harness();
    await onboarded(h, 'change/stale');
    expect((await h.call('PATCH', '/v1/repos/change/stale', { token: h.adminToken, body: { max_turns: 12 } })).status).toBe(200);
    await h.api.idle();
    const current = await h.call<Row>('GET', '/v1/repos/change/stale', { token: h.adminToken });
    // Act
    const res = await h.call('PATCH', '/v1/repos/change/stale', { token: h.adminToken, headers: { 'if-match': '"1"' }, body: { max_turns: 7 } });
    const after = await h.call<Row>('GET', '/v1/repos/change/stale', { token: h.adminToken });
    // Assess
    expect(current.body.version).toBeGreaterThan(1);
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: { code: 'PRECONDITION_FAILED' } });
    expect(after.body).toEqual(current.body);
  });

  it('leaves the version alone when a patch changes nothing', async () => {
    // Prepare
    const h = harness();
    const current = await onboarded(h, 'change/noop');
    // Act
    const res = await h.call<Row>('PATCH', '/v1/repos/change/noop', { token: h.adminToken, body: { max_turns: current.max_turns } });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(current.version);
  });

  it('stores the GitHub token in Secrets Manager under the platform prefix, never returns or logs it', async () => {
    // Prepare
    const h = harness();
    await onboarded(h, 'change/token');
    const token = `ghp_${'S3cr3tT0k3n'.repeat(3)}`;
    // Act
    const res = await h.call<Row>('PUT', '/v1/repos/change/token/github-token', { token: h.adminToken, body: { token } });
    const after = await settled(h, 'change/token');
    // Assess
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(token);
    const arn = String(res.body.github_token_secret_arn);
    expect(arn).toContain(`:secret:${h.platform.secretPrefix}github-token/change/token`);
    expect((await h.clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe(token);
    expect(after).toMatchObject({ status: 'active', github_token_secret_arn: arn });
    expect(h.logs.join('\n')).not.toContain('S3cr3tT0k3n');
    const events = await new ConfigAudit(h.clients.doc, h.platform.tables.audit, h.env).list('repos');
    expect(JSON.stringify(events)).not.toContain('S3cr3tT0k3n');
  });
});

describe('removing and restoring', () => {
  it('soft-deletes (status removed, hidden from the default list, TTL set), then restores by onboarding again', async () => {
    // Prepare
    const h = harness();
    await onboarded(h, 'remove/p1');
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const slotsBefore = await counter.current();
    // Act
    const removed = await h.call<Row>('DELETE', '/v1/repos/remove/p1', { token: h.adminToken });
    const stored = (await h.clients.doc.send(new GetCommand({ TableName: h.platform.tables.repos, Key: { repo: 'remove/p1' } }))).Item!;
    const again = await h.call<Row>('DELETE', '/v1/repos/remove/p1', { token: h.adminToken });
    const listed = await h.call<{ items: Row[] }>('GET', '/v1/repos?limit=100', { token: h.adminToken });
    const removedList = await h.call<{ items: Row[] }>('GET', '/v1/repos?status=removed', { token: h.adminToken });
    const patchRemoved = await h.call('PATCH', '/v1/repos/remove/p1', { token: h.adminToken, body: { max_turns: 3 } });
    const slotsWhileRemoved = await counter.current();
    const restored = await h.call<Row>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'remove/p1', max_turns: 9 } });
    const active = await settled(h, 'remove/p1');
    // Assess
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ status: 'removed', version: 2 });
    expect(again.body).toEqual(removed.body);
    const ttl = Number(stored.expires_at) - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(29 * 24 * 3600);
    expect(ttl).toBeLessThanOrEqual(30 * 24 * 3600);
    expect(listed.body.items.map((r) => r.repo)).not.toContain('remove/p1');
    expect(removedList.body.items.map((r) => r.repo)).toContain('remove/p1');
    expect(removedList.body.items.every((r) => r.status === 'removed')).toBe(true);
    expect(patchRemoved.status).toBe(409);
    expect(patchRemoved.body).toMatchObject({ error: { code: 'REPO_REMOVED' } });
    expect(slotsWhileRemoved).toBe(slotsBefore - 1);
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ status: 'provisioning', version: 3, max_turns: 9 });
    expect(active).toMatchObject({ status: 'active', version: 3 });
    expect(await counter.current()).toBe(slotsBefore);
  });

  it('keeps IaC rows read-only: PATCH, DELETE, token and onboarding over them answer 409 REPO_MANAGED_BY_IAC', async () => {
    // Prepare
    const h = harness();
    const at = new Date().toISOString();
    await h.clients.doc.send(
      new PutCommand({
        TableName: h.platform.tables.repos,
        Item: {
          repo: 'acme/iac-declared',
          status: 'active',
          source: 'iac',
          onboarded_at: at,
          updated_at: at,
          version: 20260101120000,
          compute_type: 'agentcore',
          max_turns: 100,
          max_budget_usd: 10,
          poll_interval_ms: 30000,
          approval_gate_cap: 25,
          egress_allowlist: [],
          cedar_policies: [],
        },
      }),
    );
    // Act
    const replies = await Promise.all([
      h.call('PATCH', '/v1/repos/acme/iac-declared', { token: h.adminToken, body: { max_turns: 1 } }),
      h.call('DELETE', '/v1/repos/acme/iac-declared', { token: h.adminToken }),
      h.call('PUT', '/v1/repos/acme/iac-declared/github-token', { token: h.adminToken, body: { token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }),
      h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'acme/iac-declared' } }),
    ]);
    const row = await h.call<Row>('GET', '/v1/repos/acme/iac-declared', { token: h.adminToken });
    // Assess
    expect(replies.map((r) => r.status)).toEqual([409, 409, 409, 409]);
    for (const r of replies) expect(r.body).toMatchObject({ error: { code: 'REPO_MANAGED_BY_IAC', message: expect.stringContaining('IaC') } });
    expect(row.body).toMatchObject({ source: 'iac', max_turns: 100, status: 'active' });
  });
});

describe('audit trail', () => {
  it('records who changed what, with before and after, for every change', async () => {
    // Prepare: one row through onboarding, a patch, a token, removal and restore
    const h = harness();
    const repo = 'audit/widgets';
    await onboarded(h, repo, { build_command: 'npm ci' });
    expect((await h.call('PATCH', `/v1/repos/${repo}`, { token: h.adminToken, body: { max_turns: 42, build_command: null } })).status).toBe(200);
    await settled(h, repo);
    expect((await h.call('PUT', `/v1/repos/${repo}/github-token`, { token: h.adminToken, body: { token: `ghp_${'a'.repeat(36)}` } })).status).toBe(200);
    await settled(h, repo);
    expect((await h.call('DELETE', `/v1/repos/${repo}`, { token: h.adminToken })).status).toBe(200);
    await onboarded(h, repo);
    // Act
    const events = await new ConfigAudit(h.clients.doc, h.platform.tables.audit, h.env).list('repos', 500);
    // Assess
    const mine = events.filter((e) => e.subject === repo);
    expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['onboard', 'provisioned', 'update', 'set_github_token', 'remove', 'restore']));
    const update = mine.find((e) => e.action === 'update')!;
    expect(update).toMatchObject({
      actor: 'user:alice',
      changed: ['build_command', 'max_turns'],
      before: { max_turns: 100, build_command: 'npm ci' },
      after: { max_turns: 42, build_command: null },
    });
    expect(update.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
