/**
 * The Blueprint construct: writes a RepoConfig row (`source: iac`) validated like the API's input,
 * refuses invalid props at synth with a clear message, and adds its egress allowlist to the
 * Terraform-owned baseline DNS Firewall list.
 */
import { Testing } from 'cdktf';
import { platformNames } from '../../src/platform/names';
import { RepoConfigSchema, REPO_DEFAULTS } from '../../src/repos/repo-config';
import { Blueprint, type BlueprintProps } from '../../stacks/constructs/blueprint';
import { InfraStack, STACK_NAME } from '../../stacks/infra-stack';
import { readSettings } from '../../stacks/settings';
import { find, resources, synthInfraJson, testBundles, type TfJson } from './support';

const names = platformNames('dev');
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:abca/dev/acme-widgets-token-AbCdEf';
const WIDGETS: BlueprintProps = {
  repo: 'acme/widgets',
  model_id: MODEL,
  max_turns: 40,
  build_command: 'npm ci && npm run build',
  github_token_secret_arn: SECRET,
  egress_allowlist: ['*.PyPI.org', 'crates.io.'],
  cedar_policies: ['permit(principal, action, resource);'],
};
const GADGETS: BlueprintProps = { repo: 'Acme/Gadgets' };

let bundles: Awaited<ReturnType<typeof testBundles>>;
let json: TfJson;

beforeAll(async () => {
  bundles = await testBundles();
  json = synthInfraJson(bundles, { env: 'dev' }, [WIDGETS, GADGETS]).json;
});

type Attr = { S?: string; N?: string; L?: Attr[] };
const unmarshal = (a: Attr): unknown => (a.S !== undefined ? a.S : a.N !== undefined ? Number(a.N) : a.L!.map(unmarshal));

/**
 * The row as DynamoDB will hold it: Terraform's interpolations (timestamps, version) replaced with
 * sample values, the way Terraform fills them in before the JSON is parsed.
 */
function fill(item: string): string {
  return item.replace(/\$\{formatdate\(.*?\)\}/g, '20260101120000').replace(/\$\{terraform_data\.[^}]*\}/g, '2026-01-01T12:00:00Z');
}

function rowOf(repo: string): { raw: string; row: Record<string, unknown>; config: Record<string, unknown> } {
  const [, config] = resources(json, 'aws_dynamodb_table_item').find(([, c]) => JSON.parse(fill(String(c.item))).repo.S === repo)!;
  const raw = String(config.item);
  const item = JSON.parse(fill(raw)) as Record<string, Attr>;
  return { raw, config, row: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, unmarshal(v)])) };
}

describe('Blueprint row', () => {
  it('keys the row by the lower-case repository id, as the API does, so the API finds and protects it', () => {
    // Act
    const ids = resources(json, 'aws_dynamodb_table_item').map(([, c]) => JSON.parse(fill(String(c.item))).repo.S);
    // Assess
    expect(ids).toContain('acme/gadgets');
    expect(ids).not.toContain('Acme/Gadgets');
  });

  it('writes an active, source iac RepoConfig row that passes the stored-row schema, defaults applied', () => {
    // Act
    const { row, config } = rowOf('acme/widgets');
    // Assess
    expect(RepoConfigSchema.safeParse(row).success).toBe(true);
    expect(row).toMatchObject({
      repo: 'acme/widgets',
      status: 'active',
      source: 'iac',
      model_id: MODEL,
      max_turns: 40,
      build_command: 'npm ci && npm run build',
      github_token_secret_arn: SECRET,
      egress_allowlist: ['*.pypi.org', 'crates.io'],
      cedar_policies: ['permit(principal, action, resource);'],
      compute_type: REPO_DEFAULTS.compute_type,
      max_budget_usd: REPO_DEFAULTS.max_budget_usd,
      poll_interval_ms: REPO_DEFAULTS.poll_interval_ms,
      approval_gate_cap: REPO_DEFAULTS.approval_gate_cap,
      version: 20260101120000,
    });
    const [reposId] = find(json, 'aws_dynamodb_table', 'name', names.tables.repos);
    expect(config).toMatchObject({ table_name: `\${aws_dynamodb_table.${reposId}.name}`, hash_key: 'repo' });
  });

  it('takes its timestamps from Terraform: onboarded_at fixed at creation, updated_at replaced only when the content changes', () => {
    // Act
    const { raw } = rowOf('acme/widgets');
    const data = resources(json, 'terraform_data').filter(([id]) => id.startsWith('blueprint-0_'));
    // Assess
    expect(raw).toMatch(/"onboarded_at":\{"S":"\$\{terraform_data\.blueprint-0_onboarded-at_[^.]+\.output\["at"\]\}"\}/);
    expect(raw).toMatch(/"version":\{"N":"\$\{formatdate\("YYYYMMDDhhmmss", terraform_data\.blueprint-0_updated-at_[^.]+\.output\["at"\]\)\}"\}/);
    expect(data).toHaveLength(2);
    for (const [, d] of data) expect(d).toMatchObject({ input: { at: '${timestamp()}' }, lifecycle: { ignore_changes: ['input'] } });
    const updated = data.find(([id]) => id.includes('updated-at'))![1];
    expect(String((updated.triggers_replace as { content: string }).content)).toMatch(/^[a-f0-9]{64}$/);
  });

  it('checks at plan time that the token secret exists', () => {
    // Act
    const lookups = Object.values(json.data?.aws_secretsmanager_secret ?? {});
    // Assess
    expect(lookups).toEqual([expect.objectContaining({ arn: SECRET })]);
  });

  it("adds the Blueprint's egress allowlist, normalized, to the Terraform-owned baseline list", () => {
    // Act
    const [, baseline] = find(json, 'aws_route53_resolver_firewall_domain_list', 'name', names.dnsFirewall.baselineList);
    const [, onboarded] = find(json, 'aws_route53_resolver_firewall_domain_list', 'name', names.dnsFirewall.onboardedList);
    // Assess
    expect(baseline.domains).toEqual(expect.arrayContaining(['*.pypi.org', 'crates.io', 'github.com']));
    expect(baseline.domains).toEqual([...(baseline.domains as string[])].sort());
    expect(onboarded.domains).toEqual([]);
  });
});

describe('Blueprint validation at synth', () => {
  let stack: InfraStack;
  let n = 0;
  beforeAll(() => {
    const app = Testing.app({ stackTraces: false, context: { env: 'dev', githubRepository: 'acme-org/abca' } });
    stack = new InfraStack(app, STACK_NAME, { settings: readSettings(app), bundles });
    new Blueprint(stack, 'first', GADGETS);
  });
  const declare = (props: unknown) => () => new Blueprint(stack, `case-${n++}`, props as BlueprintProps);

  it.each<[string, unknown, RegExp]>([
    ['a malformed repository id', { repo: 'acme' }, /Blueprint "case-\d+" is not a valid RepoConfig: repo: must be "owner\/repo"/],
    ['an unknown field', { repo: 'acme/a', colour: 'blue' }, /unknown field\(s\): colour/],
    ['a Cedar policy that does not parse', { repo: 'acme/b', cedar_policies: ['permit(principal'] }, /cedar_policies\.0: invalid Cedar policy/],
    ['an egress entry that is not a domain', { repo: 'acme/c', egress_allowlist: ['https://example.com/x'] }, /egress_allowlist\.0: must be a domain name/],
    [
      'a model outside the allowed list',
      { repo: 'acme/d', model_id: 'some.other-model' },
      /breaks a guardrail: model_id: model "some\.other-model" is not allowed/,
    ],
    [
      'a token secret outside the platform prefix',
      { repo: 'acme/e', github_token_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other/token-AbCdEf' },
      /github_token_secret_arn: secret must be under the platform prefix .*:secret:abca\/dev\//,
    ],
    ['a repository another Blueprint already declares', { repo: 'ACME/gadgets' }, /repository ACME\/gadgets is already declared by Blueprint "first"/],
  ])('refuses %s with a clear message', (_what, props, message) => {
    expect(declare(props)).toThrow(message);
  });

  it('throws the named validation error (exit code 2 for the CLI)', () => {
    expect(declare({ repo: 'acme/f', max_turns: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_BLUEPRINT', exitCode: 2 }));
  });

  it('accepts a valid Blueprint in the same stack', () => {
    expect(declare({ repo: 'acme/g', egress_allowlist: ['example.com'] })).not.toThrow();
  });
});
