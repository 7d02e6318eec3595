/**
 * The provisioner against moto's DynamoDB and Secrets Manager, with the DNS Firewall list held in
 * memory (moto has no DNS Firewall; the list is an interface the AWS adapter implements): domains
 * arrive with an active row, leave with a removed or failed one, and a superseded version is left
 * to the run its own change triggers.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { silentLogger } from '../../src/platform/logging';
import { buildProvisionerDeps } from '../../src/wiring/provisioner';
import type { DomainList } from '../../src/repos/dns-firewall';
import type { DomainPlan } from '../../src/repos/egress-sync';
import { handleRepoChange, provisionRepo, type ProvisionerDeps } from '../../src/repos/provisioner';
import { RepoCounter } from '../../src/repos/counter';
import { onboardedRow } from '../../src/repos/rows';
import type { RepoConfig } from '../../src/repos/repo-config';
import { useApi, type Harness } from './support';

const harness = useApi({ env: 'prov', provision: false });

/** An onboarded domain list in memory, spelled the way DNS Firewall returns entries (trailing dot). */
class MemoryDomainList implements DomainList {
  readonly id = 'rslvr-fdl-memory';
  readonly held = new Set<string>();
  readonly plans: DomainPlan[] = [];
  async domains(): Promise<string[]> {
    return [...this.held];
  }
  async apply(plan: DomainPlan): Promise<void> {
    this.plans.push(plan);
    plan.add.forEach((d) => this.held.add(`${d}.`));
    plan.remove.forEach((d) => this.held.delete(d));
  }
  sorted(): string[] {
    return [...this.held].sort();
  }
}

function depsWith(h: Harness, list: DomainList): ProvisionerDeps {
  return { ...buildProvisionerDeps({ env: h.env, platform: h.platform, clients: h.clients, log: silentLogger() }), domainList: list };
}

async function putRow(h: Harness, row: RepoConfig): Promise<void> {
  await h.clients.doc.send(new PutCommand({ TableName: h.platform.tables.repos, Item: row }));
}

describe('provisioner', () => {
  it('activates a valid row and registers its egress allowlist', async () => {
    // Prepare
    const h = harness();
    const list = new MemoryDomainList();
    await putRow(
      h,
      onboardedRow(
        { repo: 'prov/a', egress_allowlist: ['api.example.com', '*.pkg.example.org'], cedar_policies: ['permit(principal, action, resource);'] },
        new Date(),
      ),
    );
    // Act
    const outcome = await provisionRepo(depsWith(h, list), 'prov/a');
    // Assess
    expect(outcome).toMatchObject({ status: 'active', version: 1 });
    expect(list.sorted()).toEqual(['*.pkg.example.org.', 'api.example.com.']);
  });

  it('keeps shared domains while another live row needs them, and drops them when none does', async () => {
    // Prepare
    const h = harness();
    const list = new MemoryDomainList();
    const deps = depsWith(h, list);
    // Its own domains: the list is synced from every live row in the table, other tests' too.
    await putRow(h, onboardedRow({ repo: 'prov/e', egress_allowlist: ['shared.example.com', '*.e-only.example.org'] }, new Date()));
    await provisionRepo(deps, 'prov/e');
    await putRow(h, onboardedRow({ repo: 'prov/b', egress_allowlist: ['shared.example.com', 'b.example.net'] }, new Date()));
    await provisionRepo(deps, 'prov/b');
    const removedE = { ...(await deps.store.get('prov/e'))!, status: 'removed' as const, version: 2 };
    await putRow(h, removedE);
    // Act
    const afterA = await handleRepoChange(deps, { repo: 'prov/e', status: 'removed', previousStatus: 'active' });
    const heldAfterA = list.sorted();
    await putRow(h, { ...(await deps.store.get('prov/b'))!, status: 'removed', version: 2 });
    await handleRepoChange(deps, { repo: 'prov/b', status: 'removed', previousStatus: 'active' });
    // Assess
    expect(afterA).toMatchObject({ status: 'synced' });
    expect(heldAfterA).toEqual(expect.arrayContaining(['shared.example.com.', 'b.example.net.']));
    expect(heldAfterA).not.toContain('*.e-only.example.org.');
    expect(list.sorted()).not.toContain('shared.example.com.');
    expect(list.sorted()).not.toContain('b.example.net.');
  });

  it('fails a row whose Cedar policy does not parse or whose secret is missing, says why, and lists none of its domains', async () => {
    // Prepare: rows that got past the API's own checks (written directly, as IaC or an old version might)
    const h = harness();
    const list = new MemoryDomainList();
    const deps = depsWith(h, list);
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${h.platform.secretPrefix}nope-AbCdEf`;
    await putRow(h, {
      ...onboardedRow({ repo: 'prov/c', egress_allowlist: ['c.example.com'] }, new Date()),
      cedar_policies: ['permit(principal'],
      github_token_secret_arn: arn,
    });
    // Act
    const outcome = await provisionRepo(deps, 'prov/c');
    const row = await deps.store.get('prov/c');
    // Assess
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(row).toMatchObject({
      status: 'failed',
      status_reason: expect.stringMatching(/cedar_policies\[0\] is not a valid Cedar policy.*; the token secret \(github_token_secret_arn\) does not exist/),
    });
    expect(list.sorted()).not.toContain('c.example.com.');
    expect(list.plans.flatMap((p) => p.add)).not.toContain('c.example.com');
  });

  it('leaves a row alone when its version moved on, or it is not provisioning', async () => {
    // Prepare
    const h = harness();
    const deps = depsWith(h, new MemoryDomainList());
    await putRow(h, onboardedRow({ repo: 'prov/d' }, new Date()));
    await putRow(h, { ...onboardedRow({ repo: 'prov/f' }, new Date()), status: 'removed' });
    const settleFirst = deps.store.settle.bind(deps.store);
    // A PATCH lands between the provisioner's read and its verdict.
    deps.store.settle = async (settled, event) => {
      await putRow(h, { ...(await deps.store.get(settled.repo))!, version: settled.version + 1, max_turns: 9 });
      return settleFirst(settled, event);
    };
    // Act
    const superseded = await provisionRepo(deps, 'prov/d');
    deps.store.settle = settleFirst;
    const current = await deps.store.get('prov/d');
    const notProvisioning = await provisionRepo(deps, 'prov/f');
    // Assess
    expect(superseded).toEqual({ repo: 'prov/d', status: 'skipped', why: 'superseded by a newer version' });
    expect(current).toMatchObject({ status: 'provisioning', version: 2, max_turns: 9 });
    expect(notProvisioning).toMatchObject({ status: 'skipped', why: 'status is removed' });
  });

  it('removes through the API a row the limit counter never counted (written around the API), counter staying at zero', async () => {
    // Prepare: every row in this file was written directly, so no slot was ever taken
    const h = harness();
    await putRow(h, { ...onboardedRow({ repo: 'prov/g' }, new Date()), status: 'active' });
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const before = await counter.current();
    // Act
    const res = await h.call<{ status: string }>('DELETE', '/v1/repos/prov/g', { token: h.adminToken });
    // Assess
    expect(before).toBe(0);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('removed');
    expect(await counter.current()).toBe(0);
  });
});
