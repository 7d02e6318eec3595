/**
 * DNS Firewall allowlist sync. The decisions are a pure plan tested here in depth; the adapter runs
 * against the emulator's DNS Firewall domain lists (src/local/emulator/route53resolver_states.py:
 * UPDATING after each update, then COMPLETE; an update meanwhile is a ConflictException).
 */
import fc from 'fast-check';
import {
  CreateFirewallDomainListCommand,
  GetFirewallDomainListCommand,
  paginateListFirewallDomains,
  Route53ResolverClient,
  UpdateFirewallDomainsCommand,
} from '@aws-sdk/client-route53resolver';
import { awsErrorName } from '../../src/aws/errors';
import { allItems } from '../../src/aws/pages';
import { chunked, coveredBy, desiredDomains, isEmptyPlan, normalizeDomain, planDomainSync } from '../../src/repos/egress-sync';
import { assertOnboardedList, FirewallDomainList, listReadiness, updateRequests } from '../../src/repos/dns-firewall';
import { publicSuffixProblem } from '../../src/repos/egress-policy';
import { captureCalls } from '../support/faults';
import { motoEndpoint, useMoto } from '../support/moto';

describe('planDomainSync', () => {
  it('adds what is missing, removes what no repository needs, keeps the rest', () => {
    // Act
    const plan = planDomainSync(['github.com.', 'old.example.com.'], ['github.com', 'pypi.org']);
    // Assess
    expect(plan).toEqual({ add: ['pypi.org'], remove: ['old.example.com.'], rejected: [] });
  });

  it('compares without case or trailing dot, and removes with the list spelling', () => {
    // Act
    const plan = planDomainSync(['API.Example.COM.', 'Gone.Example.com'], ['api.example.com']);
    // Assess
    expect(plan).toEqual({ add: [], remove: ['Gone.Example.com'], rejected: [] });
  });

  it('removes every spelling of a stale domain the list holds', () => {
    // Act
    const plan = planDomainSync(['*.old.io', '*.old.io.', 'keep.io.'], ['keep.io']);
    // Assess
    expect(plan.remove).toEqual(['*.old.io', '*.old.io.']);
  });

  it('never adds what the baseline list already allows, exactly or by wildcard', () => {
    // Act
    const plan = planDomainSync(
      [],
      ['github.com', 'api.github.com', '*.deep.githubusercontent.com', 'crates.io'],
      ['github.com', '*.github.com', '*.githubusercontent.com'],
    );
    // Assess
    expect(plan.add).toEqual(['crates.io']);
  });

  it('does not treat a wildcard as allowing its apex', () => {
    // Act
    const plan = planDomainSync([], ['github.com'], ['*.github.com']);
    // Assess
    expect(plan.add).toEqual(['github.com']);
  });

  it('refuses anything that is not a domain name, "*" above all, and reports it', () => {
    // Act
    const plan = planDomainSync([], ['*', 'https://evil.com/x', '10.0.0.1', 'ok.example.com', '*.*.com', '']);
    // Assess
    expect(plan.add).toEqual(['ok.example.com']);
    expect(plan.rejected).toEqual(['', '*', '*.*.com', '10.0.0.1', 'https://evil.com/x']);
  });

  it('takes junk out of the onboarded list (a "*" someone added by hand would allow everything)', () => {
    // Act
    const plan = planDomainSync(['*', 'ok.example.com.'], ['ok.example.com']);
    // Assess
    expect(plan.remove).toEqual(['*']);
    expect(plan.add).toEqual([]);
  });

  it('never adds a wildcard over a public suffix, and takes one out of the list (rows stored before the check)', () => {
    // Act
    const plan = planDomainSync(['*.ngrok.io.', 'pypi.org.'], ['*.ngrok.io', '*.workers.dev', 'pypi.org', '*.acme.co.uk']);
    // Assess
    expect(plan).toEqual({ add: ['*.acme.co.uk'], remove: ['*.ngrok.io.'], rejected: ['*.ngrok.io', '*.workers.dev'] });
  });

  it('is empty when list and repositories agree', () => {
    // Act
    const plan = planDomainSync(['a.example.com.', '*.b.example.com.'], ['*.B.example.com', 'a.example.com', 'a.example.com']);
    // Assess
    expect(isEmptyPlan(plan)).toBe(true);
  });
});

describe('desiredDomains', () => {
  it('unions the allowlists of API rows that are active or provisioning, nothing else', () => {
    // Prepare
    const rows = [
      { source: 'api', status: 'active', egress_allowlist: ['a.example.com', 'shared.example.com'] },
      { source: 'api', status: 'provisioning', egress_allowlist: ['B.example.com.', 'shared.example.com'] },
      { source: 'api', status: 'failed', egress_allowlist: ['failed.example.com'] },
      { source: 'api', status: 'removed', egress_allowlist: ['removed.example.com'] },
      { source: 'iac', status: 'active', egress_allowlist: ['baseline.example.com'] },
    ] as const;
    // Act
    const desired = desiredDomains(rows as never);
    // Assess
    expect(desired).toEqual(['a.example.com', 'b.example.com', 'shared.example.com']);
  });
});

describe('helpers', () => {
  it('normalizes, checks coverage and chunks at the API limit', () => {
    expect(normalizeDomain(' Api.GitHub.com. ')).toBe('api.github.com');
    expect(coveredBy('a.b.example.com', new Set(['*.example.com']))).toBe(true);
    expect(coveredBy('*.b.example.com', new Set(['*.example.com']))).toBe(true);
    expect(coveredBy('example.com', new Set(['*.example.com']))).toBe(false);
    expect(chunked(Array.from({ length: 2500 }, (_, i) => i)).map((c) => c.length)).toEqual([1000, 1000, 500]);
  });
});

describe('properties', () => {
  const label = fc.stringMatching(/^[a-z0-9]{1,6}$/);
  const domain = fc
    .tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'org', 'io'), fc.boolean(), fc.boolean())
    .map(([wild, labels, tld, upper, dot]) => {
      const d = `${wild ? '*.' : ''}${labels.join('.')}.${tld}${dot ? '.' : ''}`;
      return upper ? d.toUpperCase() : d;
    });
  // Generated names that happen to be wildcards over a public suffix (`*.hk.com`) are refused by
  // design (egress-policy.ts); the properties are about names the schema accepts.
  const domains = fc.array(
    domain.filter((d) => !publicSuffixProblem(d)),
    { maxLength: 15 },
  );

  it('applying the plan yields exactly the desired domains the baseline does not cover; planning again is a no-op', () => {
    fc.assert(
      fc.property(domains, domains, domains, (current, desired, baseline) => {
        // Act
        const plan = planDomainSync(current, desired, baseline);
        const removed = new Set(plan.remove);
        const after = [...current.filter((d) => !removed.has(d)), ...plan.add];
        // Assess
        const base = new Set(baseline.map(normalizeDomain));
        const expected = new Set(desired.map(normalizeDomain).filter((d) => !coveredBy(d, base)));
        expect(new Set(after.map(normalizeDomain))).toEqual(expected);
        expect(plan.add.every((d) => !coveredBy(d, base))).toBe(true);
        expect(plan.remove.every((d) => current.includes(d))).toBe(true);
        expect(plan.rejected).toEqual([]);
        expect(isEmptyPlan(planDomainSync(after, desired, baseline))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('FirewallDomainList (the AWS adapter)', () => {
  useMoto();
  /** Captures what the adapter sends (an unknown list id: the emulator answers ResourceNotFoundException). */
  function capturingClient(): { client: Route53ResolverClient; sent: { command: string; input: Record<string, unknown> }[] } {
    const client = new Route53ResolverClient({ region: 'us-east-1', maxAttempts: 1 });
    return { client, sent: captureCalls(client) };
  }

  it('checks the list is the onboarded one before its first change, and sends no update when that cannot be confirmed (moto)', async () => {
    // Prepare
    const { client, sent } = capturingClient();
    const list = new FirewallDomainList(client, 'rslvr-fdl-0123456789abcdef', 'abca-dev-onboarded');
    // Act
    const outcome = await list.apply({ add: ['a.example.com'], remove: [], rejected: [] }).then(
      () => 'applied',
      (e: Error) => e.name,
    );
    // Assess
    expect(sent[0]).toEqual({ command: 'GetFirewallDomainList', input: { FirewallDomainListId: 'rslvr-fdl-0123456789abcdef' } });
    expect(sent.map((s) => s.command)).not.toContain('UpdateFirewallDomains');
    expect(outcome).not.toBe('applied');
  });

  it('sends nothing for an empty plan', async () => {
    // Prepare
    const { client, sent } = capturingClient();
    // Act
    await new FirewallDomainList(client, 'rslvr-fdl-x', 'abca-dev-onboarded').apply({ add: [], remove: [], rejected: [] });
    // Assess
    expect(sent).toEqual([]);
  });

  it('plans ADD then REMOVE (never REPLACE), 1000 domains per call, on the one list', () => {
    // Act
    const requests = updateRequests('rslvr-fdl-x', {
      add: Array.from({ length: 1001 }, (_, i) => `d${i}.example.com`),
      remove: ['old.example.com.'],
      rejected: ['*'],
    });
    // Assess
    expect(requests.map((r) => [r.Operation, r.Domains!.length])).toEqual([
      ['ADD', 1000],
      ['ADD', 1],
      ['REMOVE', 1],
    ]);
    expect(requests.every((r) => r.FirewallDomainListId === 'rslvr-fdl-x')).toBe(true);
    expect(requests.flatMap((r) => r.Domains)).not.toContain('*');
  });

  it('refuses a list whose name is not the onboarded list (the baseline, say)', () => {
    expect(() => assertOnboardedList('rslvr-fdl-1', 'abca-dev-baseline', 'abca-dev-onboarded')).toThrow(expect.objectContaining({ code: 'WRONG_DOMAIN_LIST' }));
    expect(() => assertOnboardedList('rslvr-fdl-1', undefined, 'abca-dev-onboarded')).toThrow(expect.objectContaining({ code: 'WRONG_DOMAIN_LIST' }));
    expect(() => assertOnboardedList('rslvr-fdl-1', 'abca-dev-onboarded', 'abca-dev-onboarded')).not.toThrow();
  });
});

/** moto's state manager: after an update, a list stays UPDATING for this many reads. */
async function updatingForReads(times: number): Promise<void> {
  const res = await fetch(`${motoEndpoint()}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'route53resolver::firewall_domain_list', transition: { progression: 'manual', times } }),
  });
  expect(res.ok).toBe(true);
}

describe('DNS Firewall list states (emulator, rules R1–R4)', () => {
  useMoto();
  const client = new Route53ResolverClient({ region: 'us-east-1', maxAttempts: 1 });
  const create = async (name: string) =>
    (await client.send(new CreateFirewallDomainListCommand({ Name: name, CreatorRequestId: `${name}-${Date.now()}` }))).FirewallDomainList!.Id!;
  const status = async (id: string) => (await client.send(new GetFirewallDomainListCommand({ FirewallDomainListId: id }))).FirewallDomainList!.Status;
  const domains = (id: string) => allItems(paginateListFirewallDomains({ client, pageSize: 2 }, { FirewallDomainListId: id }), (p) => p.Domains);
  afterEach(() => updatingForReads(1));

  it('R1–R3: a new list is COMPLETE; an update answers UPDATING; an update meanwhile is a ConflictException; then COMPLETE', async () => {
    // Prepare
    const id = await create('states-list');
    expect(await status(id)).toBe('COMPLETE');
    // Act: back to back, as the sync used to send them
    const first = await client.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: id, Operation: 'ADD', Domains: ['a.example.com'] }));
    const second = await client
      .send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: id, Operation: 'REMOVE', Domains: ['a.example.com'] }))
      .then(() => 'accepted', awsErrorName);
    // Assess
    expect(first.Status).toBe('UPDATING');
    expect(second).toBe('ConflictException');
    expect(await status(id)).toBe('COMPLETE');
    expect(await domains(id)).toEqual(['a.example.com']);
  });

  it('R4: domains page with NextToken; an unknown list is ResourceNotFoundException', async () => {
    // Prepare
    const id = await create('paged-list');
    await client.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: id, Operation: 'REPLACE', Domains: ['a.io', 'b.io', 'c.io', 'a.io'] }));
    // Act + Assess
    expect(await domains(id)).toEqual(['a.io', 'b.io', 'c.io']);
    expect(await status('rslvr-fdl-00000000000000000').catch(awsErrorName)).toBe('ResourceNotFoundException');
  });

  it('the sync waits for COMPLETE before each update: the ADD and REMOVE calls of one plan both land, with progress', async () => {
    // Prepare: each update keeps the list UPDATING for three reads
    const id = await create('abca-dev-onboarded');
    await updatingForReads(3);
    const lines: string[] = [];
    const sleeps: number[] = [];
    const list = new FirewallDomainList(client, id, 'abca-dev-onboarded', {
      pollMs: 5,
      log: (l) => lines.push(l),
      sleep: async (ms) => void sleeps.push(ms),
    });
    await list.apply({ add: ['a.example.com', 'b.example.com'], rejected: [], remove: [] });
    // Act: one plan, two calls (ADD, then REMOVE), the second sent while the first is UPDATING before the fix
    await list.apply({ add: ['c.example.com'], remove: ['a.example.com'], rejected: [] });
    // Assess
    expect((await domains(id)).sort()).toEqual(['b.example.com', 'c.example.com']);
    expect(lines.length).toBeGreaterThanOrEqual(4); // two waits of at least two reads each
    expect(lines[0]).toMatch(/is UPDATING: waiting for COMPLETE before the next update \(read 1/);
    expect(sleeps.every((ms) => ms === 5)).toBe(true);
  });

  it('gives up after the bound, naming the status, with DOMAIN_LIST_BUSY', async () => {
    // Prepare: a list that stays UPDATING
    const id = await create('abca-qa-onboarded');
    await client.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: id, Operation: 'ADD', Domains: ['x.example.com'] }));
    await updatingForReads(1000);
    let clock = 0;
    const lines: string[] = [];
    const list = new FirewallDomainList(client, id, 'abca-qa-onboarded', {
      timeoutMs: 10_000,
      pollMs: 2_000,
      log: (l) => lines.push(l),
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
    });
    // Act
    const outcome = list.apply({ add: ['y.example.com'], remove: [], rejected: [] });
    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'DOMAIN_LIST_BUSY' });
    await expect(outcome).rejects.toThrow('still UPDATING after 10 s');
    expect(lines).toHaveLength(5); // reads at 0, 2, 4, 6, 8 s waited; the one at 10 s gives up
    expect(await domains(id)).toEqual(['x.example.com']);
  });

  it('a list in a state that never becomes updatable is refused at once (pure)', () => {
    expect(listReadiness('COMPLETE')).toBe('ready');
    expect(listReadiness('COMPLETE_IMPORT_FAILED')).toBe('ready');
    expect(listReadiness('UPDATING')).toBe('wait');
    expect(listReadiness('IMPORTING')).toBe('wait');
    expect(listReadiness('DELETING')).toBe('failed');
    expect(listReadiness(undefined)).toBe('failed');
  });
});
