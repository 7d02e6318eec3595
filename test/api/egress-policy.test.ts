/** The egress policy's pure checks: the Public Suffix List (tldts) and the guardrails' suffixes. */
import { egressEntryProblems, isUnder, publicSuffixProblem } from '../../src/repos/egress-policy';
import { DEFAULT_REFUSED_SUFFIXES } from '../../src/platform/guardrails';
import { DomainSchema } from '../../src/repos/repo-config';

describe('publicSuffixProblem', () => {
  it('refuses wildcards whose base is a public suffix, ICANN or private, and nothing else', () => {
    // Prepare
    const refused = [
      '*.com',
      '*.co.uk',
      '*.ngrok.io',
      '*.workers.dev',
      '*.github.io',
      '*.lambda-url.us-east-1.on.aws',
      '*.s3.us-east-1.amazonaws.com',
      '*.execute-api.eu-west-1.amazonaws.com',
      '*.githubusercontent.com',
      '*.unknowntld',
      '*',
    ];
    const taken = ['*.pypi.org', '*.acme.co.uk', '*.tunnel.ngrok.io', 'github.io', 'co.uk', 'api.github.com', '*.amazonaws.com'];
    // Act + Assess
    expect(refused.filter((d) => !publicSuffixProblem(d))).toEqual([]);
    expect(taken.filter((d) => publicSuffixProblem(d))).toEqual([]);
    expect(DomainSchema.safeParse('*.Workers.Dev.').success).toBe(false);
  });
});

describe('egressEntryProblems', () => {
  it('applies refused and allowed suffixes at label boundaries', () => {
    // Prepare
    const policy = { allowed_suffixes: ['example.com'], refused_suffixes: [...DEFAULT_REFUSED_SUFFIXES] };
    // Act + Assess
    expect(egressEntryProblems('*.api.example.com', policy)).toEqual([]);
    expect(egressEntryProblems('badexample.com', policy)).toEqual(['"badexample.com" is not under an allowed suffix (example.com)']);
    expect(egressEntryProblems('*.amazonaws.com', { allowed_suffixes: [], refused_suffixes: [...DEFAULT_REFUSED_SUFFIXES] })).toEqual([
      '"amazonaws.com" is under "amazonaws.com", which the egress guardrails refuse',
    ]);
    expect([isUnder('a.b.c', 'b.c'), isUnder('ab.c', 'b.c'), isUnder('*.b.c', '*.b.c')]).toEqual([true, false, true]);
  });
});
