/**
 * Rows written as upstream ABCA's Blueprint construct writes them (a custom resource's PutItem:
 * key in the Blueprint's case, no source/version, compute types we do not run, fields we do not
 * know) are listed, shown, read-only, and refused for tasks with a clear reason.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { computeTypeRefusal, fromStored } from '../../src/repos/upstream';
import { useApi } from '../api/support';

const harness = useApi({ env: 'upstreamrows' });

/** The item upstream's blueprint.ts builds (attribute values as its AwsCustomResource sends them). */
const UPSTREAM_ITEM = {
  repo: { S: 'Acme-Corp/Widget-Service' },
  status: { S: 'active' },
  onboarded_at: { S: '2026-03-01T10:00:00.000Z' },
  updated_at: { S: '2026-03-01T10:00:00.000Z' },
  compute_type: { S: 'ecs' },
  max_turns: { N: '60' },
  build_command: { S: 'mise run build' },
  egress_allowlist: { L: [{ S: 'pypi.org' }] },
  mcp_servers: { L: [{ S: 'registry://mcp/github' }] },
  cedar_policy_modules: { L: [{ S: 'registry://cedar/no-force-push' }] },
  skills: { L: [{ S: 'registry://skills/python' }] },
};

describe('upstream Blueprint rows', () => {
  beforeAll(async () => {
    const h = harness();
    await h.clients.ddb.send(new PutItemCommand({ TableName: h.platform.tables.repos, Item: UPSTREAM_ITEM }));
  });

  it('is listed and shown as an IaC row with every field kept and upstream defaults', async () => {
    // Act
    const h = harness();
    const list = await h.call<{ items: Record<string, unknown>[] }>('GET', '/v1/repos', { token: h.adminToken });
    const exact = await h.call<Record<string, unknown>>('GET', '/v1/repos/Acme-Corp/Widget-Service', { token: h.adminToken });
    const lower = await h.call<Record<string, unknown>>('GET', '/v1/repos/acme-corp/widget-service', { token: h.adminToken });
    const history = await h.call<{ items: unknown[] }>('GET', '/v1/repos/acme-corp/widget-service/history', { token: h.adminToken });
    // Assess
    const expected = {
      repo: 'Acme-Corp/Widget-Service',
      status: 'active',
      source: 'iac',
      version: 1,
      compute_type: 'ecs',
      max_turns: 60,
      approval_gate_cap: 50,
      mcp_servers: ['registry://mcp/github'],
      cedar_policy_modules: ['registry://cedar/no-force-push'],
      skills: ['registry://skills/python'],
    };
    expect(list.body.items).toContainEqual(expect.objectContaining(expected));
    expect(exact.status).toBe(200);
    expect(exact.body).toMatchObject(expected);
    expect(exact.body).not.toHaveProperty('max_budget_usd');
    expect(exact.headers.get('etag')).toBe('"1"');
    expect(lower.body).toEqual(exact.body);
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([]);
  });

  it('is read-only through the API', async () => {
    // Act
    const h = harness();
    const patch = await h.call<{ error: { code: string } }>('PATCH', '/v1/repos/acme-corp/widget-service', { token: h.adminToken, body: { max_turns: 1 } });
    // Assess
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('REPO_MANAGED_BY_IAC');
  });

  it('refuses a task for it with the compute type named (422), submitting nothing', async () => {
    // Act
    const h = harness();
    const res = await h.call<{ error: { code: string; message: string } }>('POST', '/v1/tasks', {
      token: h.adminToken,
      body: { repo: 'Acme-Corp/Widget-Service', description: 'fix the build' },
    });
    const tasks = await h.call<{ items: unknown[] }>('GET', '/v1/tasks', { token: h.adminToken });
    // Assess
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('COMPUTE_TYPE_UNSUPPORTED');
    expect(res.body.error.message).toContain('compute_type "ecs"');
    expect(tasks.body.items).toEqual([]);
  });

  it('a removed upstream row (ttl, not expires_at) leaves the default listing', async () => {
    // Prepare: upstream's onDelete
    const h = harness();
    await h.clients.ddb.send(
      new PutItemCommand({ TableName: h.platform.tables.repos, Item: { ...UPSTREAM_ITEM, repo: { S: 'Acme-Corp/Gone' }, compute_type: { S: 'agentcore' } } }),
    );
    await h.clients.ddb.send(
      new UpdateItemCommand({
        TableName: h.platform.tables.repos,
        Key: { repo: { S: 'Acme-Corp/Gone' } },
        UpdateExpression: 'SET #status = :removed, #ttl = :ttl',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':removed': { S: 'removed' }, ':ttl': { N: '1900000000' } },
      }),
    );
    // Act
    const list = await h.call<{ items: { repo: string }[] }>('GET', '/v1/repos', { token: h.adminToken });
    const removed = await h.call<{ items: { repo: string; ttl?: number }[] }>('GET', '/v1/repos?status=removed', { token: h.adminToken });
    // Assess
    expect(list.body.items.map((r) => r.repo)).not.toContain('Acme-Corp/Gone');
    expect(removed.body.items).toContainEqual(expect.objectContaining({ repo: 'Acme-Corp/Gone', ttl: 1900000000 }));
  });
});

describe('compute types', () => {
  it('refuses tasks for a compute type this platform does not run, naming it, and allows ours', () => {
    // Act
    const ecs = computeTypeRefusal(fromStored({ repo: 'Acme/Api', status: 'active', compute_type: 'ecs' }));
    const microvm = computeTypeRefusal({ repo: 'acme/b', compute_type: 'lambda-microvm' });
    // Assess
    expect(ecs).toMatch(/compute_type "ecs", which this platform does not run \(it runs agentcore\)/);
    expect(microvm).toContain('lambda-microvm');
    expect(computeTypeRefusal({ repo: 'acme/c', compute_type: 'agentcore' })).toBeUndefined();
    expect(computeTypeRefusal({ repo: 'acme/d' })).toBeUndefined();
  });
});
