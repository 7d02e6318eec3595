/**
 * Guardrails from `/abca/<env>/guardrails`, changed without a deploy: allowed organizations,
 * allowed models and the token secret prefix, on onboarding and on PATCH (422), and a broken
 * parameter reported as ours, not the caller's.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { MODEL, useApi } from './support';

const harness = useApi({ env: 'guard', provision: false });
type ErrorReply = { error: { code: string; message: string; details?: { problems: { field: string; message: string }[] } } };

describe('guardrails', () => {
  it('applies a new allowed-organizations list on the next request, case-insensitively', async () => {
    // Prepare
    const h = harness();
    const open = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'anyone/first' } });
    await h.setGuardrails({ allowed_orgs: ['Acme'] });
    // Act
    const refused = await h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'other/repo' } });
    const allowed = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'ACME/repo' } });
    // Assess
    expect(open.status).toBe(201);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'GUARDRAIL_VIOLATION',
      details: { problems: [{ field: 'repo', message: expect.stringContaining('not in the allowed organizations') }] },
    });
    expect(allowed.status).toBe(201);
    await h.setGuardrails({});
  });

  it('refuses models outside the allowed list, on onboarding and on PATCH', async () => {
    // Prepare
    const h = harness();
    await h.setGuardrails({ allowed_models: [MODEL] });
    const other = DEFAULT_GUARDRAILS.allowed_models[1]!;
    // Act
    const onboard = await h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'models/a', model_id: other } });
    const patch = await h.call<ErrorReply>('PATCH', '/v1/repos/anyone/first', { token: h.adminToken, body: { model_id: other } });
    const fine = await h.call('PATCH', '/v1/repos/anyone/first', { token: h.adminToken, body: { model_id: MODEL } });
    // Assess
    expect([onboard.status, patch.status, fine.status]).toEqual([422, 422, 200]);
    expect(patch.body.error.details?.problems[0]).toMatchObject({ field: 'model_id' });
    await h.setGuardrails({});
  });

  it('refuses token secret ARNs outside the platform prefix, in another account or region', async () => {
    // Prepare
    const h = harness();
    const prefix = h.platform.secretPrefix;
    const bad = [
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:elsewhere/token-AbCdEf`,
      `arn:aws:secretsmanager:us-east-1:999999999999:secret:${prefix}token-AbCdEf`,
      `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${prefix}token-AbCdEf`,
    ];
    // Act
    const replies = await Promise.all(
      bad.map((arn, i) => h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: `arns/r${i}`, github_token_secret_arn: arn } })),
    );
    const good = await h.call('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'arns/ok', github_token_secret_arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${prefix}github-token/arns/ok-AbCdEf` },
    });
    // Assess
    expect(replies.map((r) => r.status)).toEqual([422, 422, 422]);
    expect(replies.every((r) => r.body.error.details?.problems[0]?.field === 'github_token_secret_arn')).toBe(true);
    expect(good.status).toBe(201);
  });

  it("accepts only the repository's own token secret (its name plus Secrets Manager's 6-character suffix), on onboarding and on PATCH", async () => {
    // Prepare
    const h = harness();
    const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${h.platform.secretPrefix}${name}`;
    const refusedArns = [
      arn('github-token/victim/repo-AbCdEf'), // another repository's token
      arn('github-token/own/repo'), // no suffix
      arn('github-token/own/repo-AbCdEfG'), // not the 6-character suffix
      arn('github-token/own/repo/x-AbCdEf'),
      arn('shared-token-AbCdEf'),
    ];
    // Act
    const onboard = await Promise.all(
      refusedArns.map((a) => h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'own/repo', github_token_secret_arn: a } })),
    );
    const own = await h.call('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'Own/Repo', github_token_secret_arn: arn('github-token/own/repo-AbC123') },
    });
    const patch = await h.call<ErrorReply>('PATCH', '/v1/repos/own/repo', {
      token: h.adminToken,
      body: { github_token_secret_arn: arn('github-token/victim/repo-AbCdEf') },
    });
    // Assess
    expect(onboard.map((r) => r.status)).toEqual(refusedArns.map(() => 422));
    expect(onboard[0]!.body.error.details?.problems[0]).toMatchObject({
      field: 'github_token_secret_arn',
      message: expect.stringContaining("this repository's own token secret"),
    });
    expect(own.status).toBe(201);
    expect(patch.status).toBe(422);
  });

  it("pins runtime_arn to the platform's account and region, on onboarding and on PATCH", async () => {
    // Prepare
    const h = harness();
    const [, , , region, account] = h.platform.agentRuntimeArn.split(':');
    const runtime = (r: string, a: string) => `arn:aws:bedrock-agentcore:${r}:${a}:runtime/other_agent-a1b2c3d4e5`;
    // Act
    const foreignAccount = await h.call<ErrorReply>('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'rt/a', runtime_arn: runtime(region!, '999999999999') },
    });
    const foreignRegion = await h.call<ErrorReply>('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'rt/a', runtime_arn: runtime('eu-west-1', account!) },
    });
    const own = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'rt/a', runtime_arn: runtime(region!, account!) } });
    const patch = await h.call<ErrorReply>('PATCH', '/v1/repos/rt/a', { token: h.adminToken, body: { runtime_arn: runtime(region!, '999999999999') } });
    // Assess
    expect([foreignAccount.status, foreignRegion.status, own.status, patch.status]).toEqual([422, 422, 201, 422]);
    expect(foreignAccount.body.error.details?.problems[0]?.field).toBe('runtime_arn');
  });

  it('reports a broken guardrails parameter as the platform’s fault (5xx with the reason), writing nothing', async () => {
    // Prepare
    const h = harness();
    const put = (Value: string) =>
      h.clients.ssm.send(new PutParameterCommand({ Name: h.platform.guardrailsParameter, Type: 'String', Overwrite: true, Value }));
    // Act
    await put('{"max_repos": 5');
    const notJson = await h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'broken/guardrails' } });
    await put('{"max_repos": "lots", "allowed_models": []}');
    const notValid = await h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'broken/guardrails' } });
    const row = await h.call('GET', '/v1/repos/broken/guardrails', { token: h.adminToken });
    await h.setGuardrails({});
    // Assess
    expect([notJson.status, notValid.status]).toEqual([503, 503]);
    expect(notJson.body.error).toMatchObject({ code: 'GUARDRAILS_INVALID', message: expect.stringContaining('is not JSON; fix /abca/guard/guardrails') });
    expect(notValid.body.error).toMatchObject({ code: 'GUARDRAILS_INVALID', message: expect.stringContaining('is not valid guardrails') });
    expect(notValid.body.error.message).toMatch(/max_repos: .*expected number/);
    expect(row.status).toBe(404);
  });
});

describe('egress policy', () => {
  it('refuses wildcards over a public suffix (Public Suffix List), on onboarding and on PATCH, and takes registrable wildcards', async () => {
    // Prepare
    const h = harness();
    const suffixWildcards = ['*.co.uk', '*.ngrok.io', '*.workers.dev', '*.github.io', '*.lambda-url.us-east-1.on.aws', '*.githubusercontent.com', '*.com', '*'];
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'egress/base' } });
    // Act
    const onboard = await Promise.all(
      suffixWildcards.map((d, i) =>
        h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: `egress/r${i}`, egress_allowlist: ['api.example.org', d] } }),
      ),
    );
    const patch = await Promise.all(
      suffixWildcards.map((d) => h.call<ErrorReply>('PATCH', '/v1/repos/egress/base', { token: h.adminToken, body: { egress_allowlist: [d] } })),
    );
    const fine = await h.call<{ egress_allowlist: string[] }>('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'egress/fine', egress_allowlist: ['*.pypi.org', '*.acme.co.uk', 'tunnel.ngrok.io'] },
    });
    // Assess
    expect(onboard.map((r) => r.status)).toEqual(suffixWildcards.map(() => 400));
    expect(onboard.every((r) => r.body.error.details?.problems.some((p) => p.field === 'egress_allowlist.1'))).toBe(true);
    expect(onboard[0]!.body.error.message).toContain('public suffix "co.uk"');
    expect(patch.map((r) => r.status)).toEqual(suffixWildcards.map(() => 400));
    expect(fine.status).toBe(201);
    expect(fine.body.egress_allowlist).toEqual(['*.pypi.org', '*.acme.co.uk', 'tunnel.ngrok.io']);
  });

  it('refuses AWS-hosted names by default and applies allowed/refused suffixes from the guardrails on the next request', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'egress/patched' } });
    // Act
    const aws = await h.call<ErrorReply>('POST', '/v1/repos', {
      token: h.adminToken,
      body: { repo: 'egress/aws', egress_allowlist: ['attacker-bucket.s3.amazonaws.com'] },
    });
    await h.setGuardrails({ egress: { allowed_suffixes: ['pypi.org', 'npmjs.org'], refused_suffixes: ['evil.pypi.org'] } });
    const outside = await h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'egress/outside', egress_allowlist: ['example.com'] } });
    const refused = await h.call<ErrorReply>('PATCH', '/v1/repos/egress/patched', { token: h.adminToken, body: { egress_allowlist: ['*.evil.pypi.org'] } });
    const inside = await h.call('PATCH', '/v1/repos/egress/patched', { token: h.adminToken, body: { egress_allowlist: ['*.pypi.org', 'registry.npmjs.org'] } });
    await h.setGuardrails({});
    // Assess
    expect([aws.status, outside.status, refused.status, inside.status]).toEqual([422, 422, 422, 200]);
    expect(aws.body.error).toMatchObject({
      code: 'GUARDRAIL_VIOLATION',
      details: { problems: [{ field: 'egress_allowlist.0', message: expect.stringContaining('"amazonaws.com"') }] },
    });
    expect(outside.body.error.details?.problems[0]?.message).toContain('not under an allowed suffix');
    expect(refused.body.error.details?.problems[0]?.message).toContain('"evil.pypi.org"');
  });
});
