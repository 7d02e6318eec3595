/**
 * Concurrency over real HTTP: optimistic locking on PATCH (one of two writers with the same ETag
 * wins, the other gets 412), no lost updates without If-Match, one winner for the same repository,
 * and a repository limit that 50 concurrent onboardings cannot overshoot.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ConfigAudit } from '../../src/audit/config';
import { RepoCounter } from '../../src/repos/counter';
import { useApi } from './support';

// Provisioning off: only the requests under test write to the rows.
const harness = useApi({ env: 'race', provision: false });

type Row = { repo: string; version: number; max_turns: number } & Record<string, unknown>;

describe('optimistic concurrency', () => {
  it('two PATCHes with the same ETag: one wins, one gets 412, nothing lost', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'race/etag' } });
    const read = await h.call<Row>('GET', '/v1/repos/race/etag', { token: h.adminToken });
    const etag = read.headers.get('etag')!;
    // Act
    const [a, b] = await Promise.all([
      h.call<Row>('PATCH', '/v1/repos/race/etag', { token: h.adminToken, headers: { 'if-match': etag }, body: { max_turns: 11 } }),
      h.call<Row>('PATCH', '/v1/repos/race/etag', { token: h.adminToken, headers: { 'if-match': etag }, body: { max_turns: 22 } }),
    ]);
    const after = await h.call<Row>('GET', '/v1/repos/race/etag', { token: h.adminToken });
    // Assess
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body).toMatchObject({ error: { code: 'PRECONDITION_FAILED' } });
    expect(after.body).toEqual(winner.body);
    expect(after.body.version).toBe(read.body.version + 1);
    const updates = (await new ConfigAudit(h.clients.doc, h.platform.tables.audit, h.env).list('repos')).filter(
      (e) => e.subject === 'race/etag' && e.action === 'update',
    );
    expect(updates).toHaveLength(1);
    expect(updates[0]!.after).toEqual({ max_turns: winner.body.max_turns });
  });

  it('concurrent PATCHes without If-Match each land: no update is lost', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'race/merge' } });
    const patches = [{ max_turns: 7 }, { max_budget_usd: 3.5 }, { approval_gate_cap: 9 }, { build_command: 'make' }, { lint_command: 'make lint' }];
    // Act
    const replies = await Promise.all(patches.map((body) => h.call<Row>('PATCH', '/v1/repos/race/merge', { token: h.adminToken, body })));
    const after = await h.call<Row>('GET', '/v1/repos/race/merge', { token: h.adminToken });
    // Assess
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(after.body).toMatchObject(Object.assign({}, ...patches));
    expect(after.body.version).toBe(1 + patches.length);
  });

  it('onboarding the same repository 10 times at once: one 201, nine 409, one slot taken', async () => {
    // Prepare
    const h = harness();
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const slots = await counter.current();
    // Act
    const replies = await Promise.all(Array.from({ length: 10 }, () => h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'race/same' } })));
    // Assess
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409).every((r) => (r.body as { error: { code: string } }).error.code === 'REPO_EXISTS')).toBe(true);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await counter.current()).toBe(slots + 1);
  });
});

describe('the repository limit', () => {
  it('lets exactly the allowed number of 50 concurrent onboardings through', async () => {
    // Prepare: room for exactly 10 more
    const h = harness();
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const taken = await counter.current();
    await h.setGuardrails({ max_repos: taken + 10 });
    // Act
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: `race/limit-${i}` } })),
    );
    // Assess
    const created = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 409);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(refused.every((r) => (r.body as { error: { code: string } }).error.code === 'REPO_LIMIT_REACHED')).toBe(true);
    const rows = await h.clients.doc.send(new ScanCommand({ TableName: h.platform.tables.repos, ConsistentRead: true }));
    const live = (rows.Items ?? []).filter((r) => r.source === 'api' && r.status !== 'removed' && String(r.repo).startsWith('race/limit-'));
    expect(live).toHaveLength(10);
    expect(await counter.current()).toBe(taken + 10);
  });

  it('frees a slot on removal and takes it again on restore; a lowered limit refuses new ones', async () => {
    // Prepare
    const h = harness();
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const taken = await counter.current();
    const one = (await h.call<{ items: Row[] }>('GET', '/v1/repos?limit=100', { token: h.adminToken })).body.items.find((r) =>
      r.repo.startsWith('race/limit-'),
    )!;
    // Act
    const full = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'race/one-more' } });
    const removed = await h.call('DELETE', `/v1/repos/${one.repo}`, { token: h.adminToken });
    const fits = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'race/one-more' } });
    const restoreRefused = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: one.repo } });
    await h.setGuardrails({ max_repos: 1 });
    const lowered = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'race/after-lowering' } });
    // Assess
    expect(full.status).toBe(409);
    expect(removed.status).toBe(200);
    expect(fits.status).toBe(201);
    expect(restoreRefused.status).toBe(409);
    expect(restoreRefused.body).toMatchObject({ error: { code: 'REPO_LIMIT_REACHED' } });
    expect(lowered.status).toBe(409);
    expect(await counter.current()).toBe(taken);
  });
});
