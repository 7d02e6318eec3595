/** The console's components and view logic, rendered to HTML (no browser): what each screen shows for the API's answers. */
import { render } from 'preact-render-to-string';
import { Badge, ErrorBanner, Field } from '../../src/console/components';
import { apiBase } from '../../src/console/api';
import { ago, cancellable, groupsOf, shortDigest, submitterOf, toneOf } from '../../src/console/lib/format';
import { problemOf, unplacedFields, cognitoProblem } from '../../src/console/lib/problems';
import { formFromRow, onboardBody, patchBody } from '../../src/console/lib/repo-form';
import { expiryOf } from '../../src/console/screens/api-keys';
import { outcomeOf } from '../../src/console/screens/tasks';

const guardrail = {
  error: {
    code: 'GUARDRAIL_VIOLATION',
    message: 'refused by the guardrails: model_id: model "x" is not allowed',
    details: {
      problems: [
        { field: 'model_id', message: 'model "x" is not allowed' },
        { field: 'egress_allowlist.0', message: 'bad domain' },
      ],
    },
  },
};

describe('errors', () => {
  it("keeps the API's code and message and puts each field problem on its field", () => {
    const p = problemOf(422, guardrail);
    expect(p).toMatchObject({ status: 422, code: 'GUARDRAIL_VIOLATION', fields: { model_id: 'model "x" is not allowed', 'egress_allowlist.0': 'bad domain' } });
    expect(unplacedFields(p, ['model_id'])).toEqual([['egress_allowlist.0', 'bad domain']]);
  });

  it('says the API could not be reached when there is no answer, and never shows a stack', () => {
    expect(problemOf(0, undefined)).toMatchObject({ code: 'NETWORK_ERROR', message: 'the API could not be reached' });
    expect(problemOf(502, '<html>')).toMatchObject({ code: 'HTTP_502', message: 'the API answered 502' });
  });

  it("reads Cognito's error shape", () => {
    expect(cognitoProblem(400, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' })).toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('renders the banner as an alert with message and code', () => {
    const html = render(<ErrorBanner problem={problemOf(409, { error: { code: 'REPO_EXISTS', message: 'already onboarded' } })} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('already onboarded');
    expect(html).toContain('REPO_EXISTS');
  });
});

describe('fields', () => {
  it('label the input and tie the error to it for screen readers', () => {
    const html = render(<Field label="Model id" name="model_id" value="x" onInput={() => {}} error="not allowed" hint="blank: default" />);
    const id = /<input[^>]* id="(f\d+)"/.exec(html)?.[1];
    expect(id).toBeDefined();
    expect(html).toContain(`<label for="${id}">Model id</label>`);
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain(`aria-describedby="${id}-hint ${id}-err"`);
    expect(html).toContain('data-field-error="model_id"');
  });

  it('are not marked invalid without an error', () => {
    const html = render(<Field label="Name" name="n" value="" onInput={() => {}} />);
    expect(html).not.toContain('aria-invalid');
  });
});

describe('status and formatting', () => {
  it('colours statuses by meaning', () => {
    expect(['active', 'COMPLETED', 'succeeded', 'repaired'].map(toneOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(['failed', 'FAILED', 'rolled_back'].map(toneOf)).toEqual(['bad', 'bad', 'bad']);
    expect(['provisioning', 'RUNNING', 'SUBMITTED'].map(toneOf)).toEqual(['busy', 'busy', 'busy']);
    expect(render(<Badge status="failed" />)).toContain('class="badge bad"');
  });

  it('shortens digests and times', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
    expect(shortDigest(undefined)).toBe('—');
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(ago('2026-12-03T11:57:00Z', now)).toBe('3 min ago');
    expect(ago('2026-12-03T14:00:00Z', now)).toBe('in 2 h');
  });

  it('offers cancel only while a task can still be cancelled', () => {
    expect(['SUBMITTED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'].map(cancellable)).toEqual([true, true, false, false, false]);
  });

  it("reads the groups and the submitter id from the token's claims", () => {
    const token = `x.${btoa(JSON.stringify({ username: 'ada', 'cognito:groups': ['operator'] }))}.y`;
    expect(groupsOf(token)).toEqual(['operator']);
    expect(submitterOf(token)).toBe('user:ada');
    expect(groupsOf('garbage')).toEqual([]);
  });

  it('finds the API one level above the page (same origin, same stage)', () => {
    expect(apiBase('https://x.execute-api.eu-west-1.amazonaws.com/prod/console/')).toBe('https://x.execute-api.eu-west-1.amazonaws.com/prod');
    expect(apiBase('http://127.0.0.1:8787/console/#/tasks')).toBe('http://127.0.0.1:8787');
  });
});

describe('forms to API bodies', () => {
  it('onboard leaves blank fields to the API defaults and keeps numbers as numbers', () => {
    expect(onboardBody({ repo: ' acme/w ', model_id: '', max_turns: '20', max_budget_usd: '', build_command: '', egress_allowlist: 'a.com, b.org' })).toEqual({
      repo: 'acme/w',
      max_turns: 20,
      egress_allowlist: ['a.com', 'b.org'],
    });
  });

  it('edit sends only what changed, and null for a cleared setting', () => {
    const row = { repo: 'acme/w', model_id: 'm1', max_turns: 20, build_command: 'make' };
    const form = { ...formFromRow(row), max_turns: '30', build_command: '' };
    expect(patchBody(row, form)).toEqual({ max_turns: 30, build_command: null });
  });

  it('api key expiry is the end of the chosen day in UTC', () => {
    expect(expiryOf('2027-01-31')).toBe('2027-01-31T23:59:59Z');
    expect(expiryOf('')).toBeUndefined();
  });

  it("task outcome reads the agent's PR link, turns and cost", () => {
    expect(outcomeOf({ result: { pr_url: 'https://github.com/a/b/pull/1', turns: 7, cost_usd: 0.5 } } as unknown as Parameters<typeof outcomeOf>[0])).toEqual({
      pr_url: 'https://github.com/a/b/pull/1',
      turns: 7,
      cost_usd: 0.5,
    });
    expect(outcomeOf({})).toEqual({ pr_url: undefined, turns: undefined, cost_usd: undefined });
  });
});
