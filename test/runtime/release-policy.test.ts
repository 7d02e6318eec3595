/**
 * `/abca/<env>/release-policy`: written once by the stack (and bootstrap), validated whenever it is
 * read, a bad value refused with the field named; the publisher may read it.
 */
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { platformNames } from '../../src/platform/names';
import { defaultReleasePolicy, parseReleasePolicy, readReleasePolicy, releasePolicyParameter } from '../../src/platform/release-policy';
import { useMoto } from '../support/moto';
import { decide, ACCOUNT, REGION, find, rolePolicy, synthInfraJson, testBundles, type TfJson } from '../infra/support';
import { bootstrappedRuntime } from './support';

const put = (env: string, value: string) =>
  createClients().ssm.send(new PutParameterCommand({ Name: releasePolicyParameter(env), Value: value, Type: 'String', Overwrite: true }));

describe('release policy: parsing (pure)', () => {
  it('an empty document is the default: canary check on, no golden task, a 30-minute bake, no hold', () => {
    // Act
    const policy = parseReleasePolicy('{}', 'test');
    // Assess
    expect(policy).toEqual(defaultReleasePolicy());
    expect(policy.canary_check.enabled).toBe(true);
    expect(policy.golden_task).toBeUndefined();
    expect(policy.bake).toMatchObject({ window_minutes: 30, min_tasks: 5 });
    expect(policy.gate.hold_before_live).toBe(false);
    expect(policy.notifications.github_deployments).toBe(true);
  });

  it.each([
    ['{"bake":{"min_tasks":0}}', 'bake.min_tasks'],
    ['{"limits":{"max_turns":-1}}', 'limits.max_turns'],
    ['{"limits":{"outcome":"FAILED"}}', 'limits.outcome'],
    ['{"golden_task":{"repo":"not a repo","description":"x"}}', 'golden_task.repo'],
    ['{"notifications":{"webhook_secret_arn":"https://hooks.example.com/x"}}', 'notifications.webhook_secret_arn'],
    ['{"bake":{"max_failure_rate_increase":2}}', 'bake.max_failure_rate_increase'],
  ])('%s is refused naming %s', (raw, field) => {
    // Act
    const refused = (() => {
      try {
        parseReleasePolicy(raw, '/abca/x/release-policy');
      } catch (e) {
        return e as { code: string; message: string; details?: { field?: string } };
      }
    })();
    // Assess
    expect(refused).toMatchObject({ code: 'RELEASE_POLICY_INVALID' });
    expect(refused?.message).toContain(`"${field}"`);
  });

  it('an unknown field is refused (a typo never silently turns a check off)', () => {
    expect(() => parseReleasePolicy('{"canary_check":{"enabeld":false}}', 'p')).toThrow(/canary_check/);
    expect(() => parseReleasePolicy('not json', 'p')).toThrow(expect.objectContaining({ code: 'RELEASE_POLICY_INVALID' }));
  });
});

describe('release policy: in SSM', () => {
  useMoto();

  it('bootstrap writes the default once; an operator edit is kept and read back validated', async () => {
    // Prepare
    await bootstrappedRuntime('relpol');
    const edited = { golden_task: { repo: 'acme/fixture', description: 'add a test' }, bake: { window_minutes: 5 } };
    // Act
    const first = await readReleasePolicy(createClients().ssm, 'relpol');
    await put('relpol', JSON.stringify(edited));
    await bootstrappedRuntime('relpol');
    const after = await readReleasePolicy(createClients().ssm, 'relpol');
    // Assess
    expect(first).toEqual(defaultReleasePolicy());
    expect(after.golden_task).toEqual(edited.golden_task);
    expect(after.bake.window_minutes).toBe(5);
    expect(after.bake.min_tasks).toBe(5);
  });

  it('a bad value in SSM is refused when read, naming the parameter and the field; a missing one says how to get it', async () => {
    // Prepare
    await bootstrappedRuntime('relbad');
    await put('relbad', '{"gate":{"hold_timeout_minutes":"soon"}}');
    // Act
    const bad = await readReleasePolicy(createClients().ssm, 'relbad').catch((e: unknown) => e);
    await createClients().ssm.send(new DeleteParameterCommand({ Name: releasePolicyParameter('relbad') }));
    const missing = await readReleasePolicy(createClients().ssm, 'relbad').catch((e: unknown) => e);
    // Assess
    expect(bad).toMatchObject({ code: 'RELEASE_POLICY_INVALID' });
    expect((bad as Error).message).toContain('/abca/relbad/release-policy: bad "gate.hold_timeout_minutes"');
    expect(missing).toMatchObject({ code: 'NO_RELEASE_POLICY' });
    expect((missing as Error).message).toContain('bootstrap-local.ts');
  });
});

describe('release policy: the stack', () => {
  let json: TfJson;
  beforeAll(async () => {
    json = synthInfraJson(await testBundles(), { env: 'prod' }).json;
  });

  it('writes the default once and ignores later changes; the publisher may read it, nothing else of SSM', async () => {
    // Act
    const [, param] = find(json, 'aws_ssm_parameter', 'name', releasePolicyParameter('prod'));
    const role = platformNames('prod').roles.runtimePublisher;
    const policy = rolePolicy(json, role);
    const principal = `arn:aws:iam::${ACCOUNT}:role/${role}`;
    const arn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
    // Assess
    expect(JSON.parse(String(param.insecure_value))).toEqual(defaultReleasePolicy());
    expect(param.lifecycle).toEqual({ ignore_changes: ['insecure_value'] });
    expect(await decide(policy, principal, { action: 'ssm:GetParameter', resource: arn(releasePolicyParameter('prod')) })).toBe('Allowed');
    expect(await decide(policy, principal, { action: 'ssm:PutParameter', resource: arn(releasePolicyParameter('prod')) })).not.toBe('Allowed');
    expect(await decide(policy, principal, { action: 'ssm:GetParameter', resource: arn(releasePolicyParameter('staging')) })).not.toBe('Allowed');
  });

  it("the publisher may record the golden task as a task (its row, its repository's config, the default model) and read tasks for the bake, and its webhook secret, no more", async () => {
    // Prepare
    const names = platformNames('prod');
    const role = names.roles.runtimePublisher;
    const policy = rolePolicy(json, role);
    const principal = `arn:aws:iam::${ACCOUNT}:role/${role}`;
    const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    const can = (action: string, resource: string) => decide(policy, principal, { action, resource });
    // Act
    const allowed = await Promise.all([
      can('dynamodb:PutItem', table(names.tables.tasks)),
      can('dynamodb:UpdateItem', table(names.tables.tasks)),
      can('dynamodb:GetItem', table(names.tables.repos)),
      can('ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${names.parameters.guardrails}`),
      can('dynamodb:Scan', table(names.tables.tasks)),
      can('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${names.secretPrefix}release-webhook-AbCdEf`),
    ]);
    const denied = await Promise.all([
      can('dynamodb:PutItem', table(names.tables.repos)),
      can('dynamodb:DeleteItem', table(names.tables.tasks)),
      can('dynamodb:Scan', table(names.tables.repos)),
      can('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${names.secretPrefix}github-token/acme/app-AbCdEf`),
    ]);
    // Assess
    expect(allowed).toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed', 'Allowed', 'Allowed']);
    expect(denied.filter((d) => d === 'Allowed')).toEqual([]);
  });
});
