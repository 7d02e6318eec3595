/**
 * DNS Firewall allowlist sync. moto does not emulate Route 53 Resolver DNS Firewall, so the
 * decisions are a pure plan tested here in depth, and the adapter's requests are checked as sent.
 */
import fc from 'fast-check';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { chunked, coveredBy, desiredDomains, isEmptyPlan, normalizeDomain, planDomainSync } from '../../src/repos/egress-sync';
import { assertOnboardedList, FirewallDomainList, updateRequests } from '../../src/repos/dns-firewall';
import { publicSuffixProblem } from '../../src/repos/egress-policy';
import { captureCalls } from '../support/faults';

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
  /** Captures what the adapter sends; moto answers with an error, as it does not emulate DNS Firewall. */
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
