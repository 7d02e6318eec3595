/**
 * The synthesized `infra` stack: every resource the issue names exists with the settings that
 * matter, both ignore_changes rules are in place, the runtime is digest-pinned from the pointer,
 * and the image-pointer custom resource re-runs on runtime configuration changes.
 */
import { TABLE_KEYS, TABLES } from '../../src/platform/tables';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { platformNames } from '../../src/platform/names';
import { PlatformConfigSchema } from '../../src/platform/platform-config';
import { CANARY_ENDPOINT, IMAGE_DIGEST_PATTERN, LIVE_ENDPOINT, RUNTIME_PROTOCOL } from '../../src/platform/runtime-spec';
import { GATEWAY_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES } from '../../stacks/constructs/network';
import { find, only, resources, synthInfraJson, testBundles, type Synthesized, ACCOUNT, REGION, resolveRefs, decide } from './support';
import { publicSuffixProblem } from '../../src/repos/egress-policy';
import { AGENTCORE_AZ_IDS } from '../../stacks/constructs/network';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const names = platformNames('dev');
let dev: Synthesized;

beforeAll(async () => {
  dev = synthInfraJson(await testBundles(), { env: 'dev', initialImageDigest: DIGEST });
});

const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;

describe('application layer resources', () => {
  it('creates the pointer as a String parameter with the digest pattern, insecure_value and ignore_changes on the value', () => {
    // Act
    const [, pointer] = find(dev.json, 'aws_ssm_parameter', 'name', names.parameters.imagePointer);
    // Assess
    expect(pointer).toMatchObject({ type: 'String', allowed_pattern: IMAGE_DIGEST_PATTERN, insecure_value: DIGEST });
    expect(pointer.value).toBeUndefined();
    expect(pointer.lifecycle?.ignore_changes).toEqual(expect.arrayContaining(['insecure_value']));
  });

  it('pins the runtime container to <ECR repository URL>@<pointer value> and ignores later artifact changes', () => {
    // Prepare
    const [repoId] = find(dev.json, 'aws_ecr_repository', 'name', names.ecrRepository);
    const [pointerId] = find(dev.json, 'aws_ssm_parameter', 'name', names.parameters.imagePointer);
    // Act
    const runtime = only(dev.json, 'aws_bedrockagentcore_agent_runtime');
    // Assess
    const artifact = runtime.agent_runtime_artifact as { container_configuration: { container_uri: string }[] }[];
    expect(artifact[0]!.container_configuration[0]!.container_uri).toBe(
      `${ref('aws_ecr_repository', repoId, 'repository_url')}@${ref('aws_ssm_parameter', pointerId, 'insecure_value')}`,
    );
    expect(runtime.lifecycle?.ignore_changes).toEqual(['agent_runtime_artifact']);
  });

  it('runs the runtime in VPC mode on the private subnets with the 443-only security group, table names in its environment', () => {
    // Act
    const runtime = only(dev.json, 'aws_bedrockagentcore_agent_runtime');
    const [sgId, sg] = find(dev.json, 'aws_security_group', 'name', names.network.runtimeSecurityGroup);
    // Assess
    expect(runtime.agent_runtime_name).toBe(names.agentRuntime);
    const net = (runtime.network_configuration as { network_mode: string; network_mode_config: { subnets: string[]; security_groups: string[] }[] }[])[0]!;
    expect(net.network_mode).toBe('VPC');
    expect(net.network_mode_config[0]!.security_groups).toEqual([ref('aws_security_group', sgId, 'id')]);
    expect(net.network_mode_config[0]!.subnets).toHaveLength(2);
    expect(net.network_mode_config[0]!.subnets.every((s) => s.includes('aws_subnet.network_private-'))).toBe(true);
    // Only what the agent reads (agent/src/task-row.ts): its role grants no other table.
    expect(runtime.environment_variables).toEqual({
      ABCA_ENV: 'dev',
      AGENT_SESSION_ROLE_ARN: expect.stringMatching(/:role\/abca-dev-agent-session$/),
      AWS_REGION: expect.any(String),
      TASKS_TABLE: names.tables.tasks,
      TASK_TABLE_NAME: names.tables.tasks,
    });
    expect(runtime.protocol_configuration).toEqual([{ server_protocol: RUNTIME_PROTOCOL }]);
    expect(sg.ingress).toEqual([]);
    expect((sg.egress as { protocol: string; from_port: number; to_port: number }[]).map((r) => [r.protocol, r.from_port, r.to_port])).toEqual([
      ['tcp', 443, 443],
      ['tcp', 443, 443],
      ['tcp', 443, 443],
    ]);
  });

  it('gives the runtime its own execution role trusted only by AgentCore in this account', () => {
    // Act
    const runtime = only(dev.json, 'aws_bedrockagentcore_agent_runtime');
    const [roleId, role] = find(dev.json, 'aws_iam_role', 'name', names.roles.runtimeExecution);
    // Assess
    expect(runtime.role_arn).toBe(ref('aws_iam_role', roleId, 'arn'));
    const trust = JSON.parse(String(role.assume_role_policy));
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'bedrock-agentcore.amazonaws.com' },
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': expect.stringContaining('account_id') } }),
      }),
    ]);
  });

  it('creates an immutable, scanned ECR repository whose lifecycle rules only ever select untagged images', () => {
    // Act
    const [, repo] = find(dev.json, 'aws_ecr_repository', 'name', names.ecrRepository);
    const lifecycle = JSON.parse(String(only(dev.json, 'aws_ecr_lifecycle_policy').policy));
    // Assess
    expect(repo).toMatchObject({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true } });
    expect(lifecycle.rules.length).toBeGreaterThan(0);
    expect(lifecycle.rules.map((r: { selection: { tagStatus: string } }) => r.selection.tagStatus)).toEqual(lifecycle.rules.map(() => 'untagged'));
  });
});

describe('image-pointer custom resource', () => {
  it('invokes the custom-resource Lambda with lifecycle_scope CRUD and a config hash of the runtime in its input', () => {
    // Prepare
    const runtimeId = resources(dev.json, 'aws_bedrockagentcore_agent_runtime')[0]![0];
    const [fnId] = find(dev.json, 'aws_lambda_function', 'function_name', names.functions.imagePointer);
    // Act
    const invocation = only(dev.json, 'aws_lambda_invocation');
    const input = String(invocation.input);
    // Assess
    expect(invocation.lifecycle_scope).toBe('CRUD');
    expect(invocation.function_name).toBe(ref('aws_lambda_function', fnId, 'function_name'));
    expect(invocation.triggers).toBeUndefined();
    expect(input).toMatch(/^\$\{jsonencode\(\{/);
    const hash = /"configHash" = sha256\(jsonencode\(\{(.*)\}\)\)/.exec(input);
    expect(hash).not.toBeNull();
    for (const attr of ['role_arn', 'network_configuration', 'environment_variables', 'protocol_configuration']) {
      expect(hash![1]).toContain(`aws_bedrockagentcore_agent_runtime.${runtimeId}.${attr}`);
    }
    // The artifact is what the custom resource repairs: it must not be part of the hash.
    expect(hash![1]).not.toContain('agent_runtime_artifact');
    expect(input).toContain('"env" = "dev"');
    expect(input).toContain(`"imagePointerParameter" = "${names.parameters.imagePointer}"`);
    expect(input).toContain(`"agentRuntimeName" = "${names.agentRuntime}"`);
  });

  it('creates the live and canary endpoints on the runtime, starting on its first version, their version ignored later', () => {
    // Prepare
    const [runtimeId] = resources(dev.json, 'aws_bedrockagentcore_agent_runtime')[0]!;
    // Act
    const endpoints = resources(dev.json, 'aws_bedrockagentcore_agent_runtime_endpoint');
    // Assess
    expect(endpoints.map(([, e]) => e.name).sort()).toEqual([CANARY_ENDPOINT, LIVE_ENDPOINT].sort());
    for (const [, e] of endpoints) {
      expect(e.agent_runtime_id).toBe(ref('aws_bedrockagentcore_agent_runtime', runtimeId, 'agent_runtime_id'));
      expect(e.agent_runtime_version).toBe(ref('aws_bedrockagentcore_agent_runtime', runtimeId, 'agent_runtime_version'));
      expect(e.lifecycle?.ignore_changes).toEqual(['agent_runtime_version']);
    }
  });

  it('puts both endpoints in the platform document and lets publish and the custom resource move them', () => {
    // Prepare
    const [liveId] = find(dev.json, 'aws_bedrockagentcore_agent_runtime_endpoint', 'name', LIVE_ENDPOINT);
    const [canaryId] = find(dev.json, 'aws_bedrockagentcore_agent_runtime_endpoint', 'name', CANARY_ENDPOINT);
    // Act
    const [, param] = find(dev.json, 'aws_ssm_parameter', 'name', names.parameters.platform);
    const doc = String(param.insecure_value);
    const policies = resources(dev.json, 'aws_iam_role_policy').map(([, p]) => String(p.policy));
    // Assess
    expect(doc).toContain(`"liveEndpoint" = "${LIVE_ENDPOINT}"`);
    expect(doc).toContain(`"canaryEndpoint" = "${CANARY_ENDPOINT}"`);
    expect(doc).toContain(`"liveEndpointArn" = aws_bedrockagentcore_agent_runtime_endpoint.${liveId}.agent_runtime_endpoint_arn`);
    expect(doc).toContain(`"canaryEndpointArn" = aws_bedrockagentcore_agent_runtime_endpoint.${canaryId}.agent_runtime_endpoint_arn`);
    const movers = policies.filter((p) => p.includes('bedrock-agentcore:UpdateAgentRuntimeEndpoint'));
    expect(movers.length).toBeGreaterThanOrEqual(2);
  });

  it('deploys the custom-resource Lambda from the bundled handler with enough time to wait for READY', () => {
    // Act
    const [, fn] = find(dev.json, 'aws_lambda_function', 'function_name', names.functions.imagePointer);
    // Assess
    expect(fn).toMatchObject({ handler: 'index.handler', timeout: 900 });
    expect(String(fn.filename)).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-F0-9]{32,}$/);
  });
});

describe('data', () => {
  it('creates one table per TABLES entry with its keys, indexes, TTL and stream; on-demand, PITR, encrypted', () => {
    for (const key of TABLE_KEYS) {
      // Act
      const [, table] = find(dev.json, 'aws_dynamodb_table', 'name', names.tables[key]);
      const def = TABLES[key];
      // Assess
      expect(table).toMatchObject({
        billing_mode: 'PAY_PER_REQUEST',
        hash_key: def.hashKey,
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true },
      });
      expect(table.range_key).toBe(def.rangeKey);
      expect(table.attribute).toEqual(Object.entries(def.attributes).map(([name, type]) => ({ name, type })));
      expect((table.global_secondary_index as { name: string }[]).map((i) => i.name)).toEqual(def.indexes.map((i) => i.name));
      expect(table.ttl).toEqual(def.ttlAttribute ? { enabled: true, attribute_name: def.ttlAttribute } : undefined);
      expect(table.stream_view_type).toBe(def.stream);
    }
    expect(resources(dev.json, 'aws_dynamodb_table')).toHaveLength(TABLE_KEYS.length);
  });

  it('keys the repos table by repo and gives the locks table a TTL', () => {
    expect(find(dev.json, 'aws_dynamodb_table', 'name', names.tables.repos)[1].hash_key).toBe('repo');
    expect(find(dev.json, 'aws_dynamodb_table', 'name', names.tables.locks)[1].ttl).toEqual({ enabled: true, attribute_name: 'expires_at' });
  });
});

describe('discovery and guardrails parameters', () => {
  it('writes /abca/<env>/platform with every PlatformConfig key, Terraform-owned', () => {
    // Act
    const [, param] = find(dev.json, 'aws_ssm_parameter', 'name', names.parameters.platform);
    const value = String(param.insecure_value);
    // Assess
    expect(value).toMatch(/^\$\{jsonencode\(\{/);
    for (const key of Object.keys(PlatformConfigSchema.shape)) expect(value).toContain(`"${key}" = `);
    for (const key of ['repos', 'tasks', 'audit', 'apiKeys', 'locks']) expect(value).toContain(`"${key}" = aws_dynamodb_table.`);
    expect(param.lifecycle).toBeUndefined();
    // The declared document itself passes the schema (strict: no unknown keys).
    expect(() => PlatformConfigSchema.strict().parse(dev.stack.parameters.document)).not.toThrow();
  });

  it('writes the default guardrails once and ignores later changes to them', () => {
    // Act
    const [, param] = find(dev.json, 'aws_ssm_parameter', 'name', names.parameters.guardrails);
    // Assess
    expect(JSON.parse(String(param.insecure_value))).toEqual(DEFAULT_GUARDRAILS);
    expect(param.lifecycle?.ignore_changes).toEqual(['insecure_value']);
  });
});

describe('network', () => {
  it('spans two AZs with private subnets routed through a NAT gateway', () => {
    // Act
    const subnets = resources(dev.json, 'aws_subnet');
    const privateRt = resources(dev.json, 'aws_route_table').find(([id]) => id.includes('private'))![1];
    // Assess
    expect(subnets).toHaveLength(4);
    expect(new Set(subnets.map(([, s]) => s.availability_zone_id)).size).toBe(2);
    expect(privateRt.route).toEqual([expect.objectContaining({ cidr_block: '0.0.0.0/0', nat_gateway_id: expect.stringContaining('aws_nat_gateway.') })]);
  });

  it('has interface endpoints for ECR, logs, Secrets Manager, STS and Bedrock, and S3/DynamoDB gateway endpoints', () => {
    // Act
    const endpoints = resources(dev.json, 'aws_vpc_endpoint').map(([, e]) => [
      String(e.service_name).replace(/^com\.amazonaws\.\$\{[^}]+\}\./, ''),
      e.vpc_endpoint_type,
    ]);
    // Assess
    expect(endpoints).toEqual(
      expect.arrayContaining([...INTERFACE_ENDPOINT_SERVICES.map((s) => [s, 'Interface']), ...GATEWAY_ENDPOINT_SERVICES.map((s) => [s, 'Gateway'])]),
    );
    expect(endpoints.map(([s]) => s).sort()).toEqual(['bedrock-runtime', 'dynamodb', 'ecr.api', 'ecr.dkr', 'logs', 's3', 'secretsmanager', 'sts']);
  });

  it('filters DNS with a Terraform-owned baseline list, an API-maintained onboarded list (domains ignored) and a final block', () => {
    // Act
    const [baselineId, baseline] = find(dev.json, 'aws_route53_resolver_firewall_domain_list', 'name', names.dnsFirewall.baselineList);
    const [onboardedId, onboarded] = find(dev.json, 'aws_route53_resolver_firewall_domain_list', 'name', names.dnsFirewall.onboardedList);
    const rules = resources(dev.json, 'aws_route53_resolver_firewall_rule')
      .map(([, r]) => r)
      .sort((a, b) => Number(a.priority) - Number(b.priority));
    // Assess
    expect(baseline.lifecycle).toBeUndefined();
    expect(baseline.domains).toEqual(expect.arrayContaining(['github.com', 'registry.npmjs.org']));
    expect(baseline.domains).not.toContain('*.amazonaws.com');
    expect(onboarded.lifecycle?.ignore_changes).toEqual(['domains']);
    expect(rules.map((r) => r.action)).toEqual(['ALLOW', 'ALLOW', 'BLOCK']);
    expect(rules[0]!.firewall_domain_list_id).toBe(ref('aws_route53_resolver_firewall_domain_list', baselineId, 'id'));
    expect(rules[1]!.firewall_domain_list_id).toBe(ref('aws_route53_resolver_firewall_domain_list', onboardedId, 'id'));
    expect(only(dev.json, 'aws_route53_resolver_firewall_rule_group_association').vpc_id).toContain('aws_vpc.');
  });
});

describe('auth and API', () => {
  it('creates a user pool without self sign-up, the admin and operator groups, and a secretless CLI client with SRP (no password) flows', () => {
    // Act
    const pool = only(dev.json, 'aws_cognito_user_pool');
    const groups = resources(dev.json, 'aws_cognito_user_group').map(([, g]) => g.name);
    const client = only(dev.json, 'aws_cognito_user_pool_client');
    // Assess
    expect(pool).toMatchObject({ name: names.userPool, admin_create_user_config: { allow_admin_create_user_only: true } });
    expect(groups.sort()).toEqual(['admin', 'operator']);
    expect(client).toMatchObject({ name: names.userPoolClient, generate_secret: false });
    expect(client.explicit_auth_flows).toEqual(expect.arrayContaining(['ALLOW_USER_SRP_AUTH']));
    // Issue 25: the password never travels; the CLI and the console sign in with SRP.
    expect(client.explicit_auth_flows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it('fronts the API Lambda with API Gateway, a REQUEST authorizer (Cognito or API key, no caching), throttling, access logs and a WAF web ACL', () => {
    // Act
    const authorizer = only(dev.json, 'aws_api_gateway_authorizer');
    const methods = resources(dev.json, 'aws_api_gateway_method').map(([, m]) => m);
    const settings = only(dev.json, 'aws_api_gateway_method_settings');
    const stage = only(dev.json, 'aws_api_gateway_stage');
    const acl = only(dev.json, 'aws_wafv2_web_acl');
    const association = only(dev.json, 'aws_wafv2_web_acl_association');
    const [apiFnId] = find(dev.json, 'aws_lambda_function', 'function_name', names.functions.api);
    // Assess
    // The API function authorizes too: API-key callers have no Cognito token for a Cognito authorizer.
    expect(authorizer).toMatchObject({
      type: 'REQUEST',
      authorizer_uri: ref('aws_lambda_function', apiFnId, 'invoke_arn'),
      authorizer_result_ttl_in_seconds: 0,
    });
    expect(String(authorizer.identity_source)).not.toContain('Authorization');
    expect(methods.find((m) => m.http_method === 'ANY')).toMatchObject({ authorization: 'CUSTOM' });
    expect(methods.find((m) => m.http_method === 'GET')).toMatchObject({ authorization: 'NONE' });
    const permissions = resources(dev.json, 'aws_lambda_permission').map(([, p]) => p);
    expect(permissions.some((p) => String(p.source_arn).includes('/authorizers/') && p.principal === 'apigateway.amazonaws.com')).toBe(true);
    expect(
      resources(dev.json, 'aws_api_gateway_integration').every(
        ([, i]) => i.type === 'AWS_PROXY' && i.uri === ref('aws_lambda_function', apiFnId, 'invoke_arn'),
      ),
    ).toBe(true);
    expect(settings.settings).toMatchObject({ throttling_burst_limit: expect.any(Number), throttling_rate_limit: expect.any(Number) });
    expect(stage.access_log_settings).toMatchObject({ destination_arn: expect.stringContaining('aws_cloudwatch_log_group.') });
    expect(acl.scope).toBe('REGIONAL');
    const rules = acl.rule as { statement: Record<string, unknown> }[];
    expect(rules.some((r) => 'managed_rule_group_statement' in r.statement)).toBe(true);
    expect(rules.some((r) => 'rate_based_statement' in r.statement)).toBe(true);
    expect(association.resource_arn).toContain('aws_api_gateway_stage.');
  });

  it('feeds the repos table stream to the provisioner Lambda', () => {
    // Act
    const mapping = only(dev.json, 'aws_lambda_event_source_mapping');
    const [reposId] = find(dev.json, 'aws_dynamodb_table', 'name', names.tables.repos);
    const [provisionerId] = find(dev.json, 'aws_lambda_function', 'function_name', names.functions.provisioner);
    // Assess
    expect(mapping.event_source_arn).toBe(ref('aws_dynamodb_table', reposId, 'stream_arn'));
    expect(mapping.function_name).toBe(ref('aws_lambda_function', provisionerId, 'arn'));
  });

  it('deploys every handler from bundled zips', () => {
    // Act
    const fns = resources(dev.json, 'aws_lambda_function').map(([, f]) => f);
    // Assess
    expect(fns.map((f) => f.function_name).sort()).toEqual(
      [names.functions.api, names.functions.imagePointer, names.functions.provisioner, names.functions.reconciler].sort(),
    );
    expect(fns.every((f) => String(f.filename).endsWith('/archive.zip') && f.handler === 'index.handler')).toBe(true);
  });
});

describe('per environment', () => {
  let staging: Synthesized;
  beforeAll(async () => {
    // No promotion source: its read grant names the source env on purpose (test/infra/iam-promote.test.ts).
    staging = synthInfraJson(await testBundles(), { env: 'staging', promoteFrom: '' });
  });

  it('derives every name from the env context', () => {
    // Prepare
    const s = platformNames('staging');
    // Act
    const json = staging.json;
    // Assess
    expect(
      resources(json, 'aws_dynamodb_table')
        .map(([, t]) => t.name)
        .sort(),
    ).toEqual(Object.values(s.tables).sort());
    expect(
      resources(json, 'aws_ssm_parameter')
        .map(([, p]) => p.name)
        .sort(),
    ).toEqual(Object.values(s.parameters).sort());
    expect(only(json, 'aws_ecr_repository').name).toBe(s.ecrRepository);
    expect(only(json, 'aws_bedrockagentcore_agent_runtime').agent_runtime_name).toBe(s.agentRuntime);
    expect(resources(json, 'aws_iam_role').map(([, r]) => r.name)).toEqual(
      expect.arrayContaining([s.roles.infraDeployer, s.roles.runtimePublisher, s.roles.runtimeExecution]),
    );
    expect(JSON.stringify(json)).not.toMatch(/abca-dev-|\/abca\/dev\//);
  });

  it('without initialImageDigest, gives the pointer a value its own AllowedPattern refuses (a first deploy stops there)', () => {
    // Act
    const pointer = find(staging.json, 'aws_ssm_parameter', 'name', platformNames('staging').parameters.imagePointer)[1];
    // Assess
    expect(new RegExp(IMAGE_DIGEST_PATTERN).test(String(pointer.insecure_value))).toBe(false);
    expect(String(pointer.insecure_value)).toContain('initialImageDigest');
  });
});

describe('network hardening: AgentCore AZ ids, per-destination egress, endpoint policies, a narrow DNS baseline', () => {
  const endpointPolicy = (service: string) => {
    const [, e] = resources(dev.json, 'aws_vpc_endpoint').find(([, c]) => String(c.service_name).endsWith(`.${service}`))!;
    return JSON.parse(resolveRefs(String(e.policy), dev.json));
  };
  const anyone = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const agent = `arn:aws:sts::${ACCOUNT}:assumed-role/${names.roles.runtimeExecution}/session`;

  it('places the subnets by AZ id among the zones AgentCore supports in the region, or the agentCoreAzIds override', async () => {
    // Prepare
    const overridden = synthInfraJson(await testBundles(), { env: 'dev', agentCoreAzIds: 'use1-az4,use1-az6' }).json;
    // Act
    const [[azsId, config]] = Object.entries(dev.json.data!.aws_availability_zones!) as [[string, Record<string, unknown>]];
    const filter = (config.filter as { name: string; values: unknown }[])[0]!;
    const overriddenFilter = (Object.values(overridden.data!.aws_availability_zones!)[0]!.filter as { values: unknown }[])[0]!;
    // Assess
    expect(filter.name).toBe('zone-id');
    // The documented list, looked up by the region at plan time.
    expect(String(filter.values)).toMatch(/^\$\{lookup\(\{.*\}, data\.aws_region\.[^.]+\.region, \[\]\)\}$/);
    for (const [region, ids] of Object.entries(AGENTCORE_AZ_IDS))
      expect(String(filter.values)).toContain(`"${region}" = [${ids.map((id) => `"${id}"`).join(', ')}]`);
    expect(overriddenFilter.values).toEqual(['use1-az4', 'use1-az6']);
    expect((config.lifecycle as { postcondition: { condition: string }[] }).postcondition[0]!.condition).toContain('length(self.zone_ids) >= 2');
    const subnets = resources(dev.json, 'aws_subnet').map(([, s]) => s);
    expect(
      subnets.every((s) => s.availability_zone === undefined && String(s.availability_zone_id).includes(`data.aws_availability_zones.${azsId}.zone_ids`)),
    ).toBe(true);
    expect(AGENTCORE_AZ_IDS['us-east-1']).toEqual(['use1-az1', 'use1-az2', 'use1-az4']);
  });

  it('refuses an override that is not two or more AZ ids', async () => {
    const bundles = await testBundles();
    for (const bad of ['use1-az1', 'us-east-1a,us-east-1b', 'use1-az1,use1-az1']) {
      expect(() => synthInfraJson(bundles, { env: 'dev', agentCoreAzIds: bad })).toThrow(/agentCoreAzIds must be 2 or more distinct AZ ids/);
    }
  });

  it('lets the runtime out on 443 only, to the VPC endpoints, the S3/DynamoDB prefix lists and (unless turned off) the internet', async () => {
    // Prepare
    const closed = synthInfraJson(await testBundles(), { env: 'dev', runtimeInternetEgress: 'false' }).json;
    const egressOf = (json: typeof dev.json) =>
      (
        find(json, 'aws_security_group', 'name', names.network.runtimeSecurityGroup)[1].egress as {
          cidr_blocks: string[];
          prefix_list_ids: string[];
          ipv6_cidr_blocks: string[];
        }[]
      ).map((r) => [
        r.cidr_blocks,
        r.prefix_list_ids.map((p) => p.replace(/^\$\{aws_vpc_endpoint\.network_endpoint-([a-z0-9]+)_.*$/, '$1')),
        r.ipv6_cidr_blocks,
      ]);
    // Assess
    expect(egressOf(dev.json)).toEqual([
      [['10.40.0.0/16'], [], []],
      [[], ['s3', 'dynamodb'], []],
      [['0.0.0.0/0'], [], []],
    ]);
    expect(egressOf(closed)).toEqual([
      [['10.40.0.0/16'], [], []],
      [[], ['s3', 'dynamodb'], []],
    ]);
  });

  it("admits over the S3 endpoint only ECR's layer bucket and this account's buckets", async () => {
    // Prepare
    const policy = endpointPolicy('s3');
    const layer = `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/layer-sha`;
    const openBucket = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] };
    const via = (action: string, resource: string, resourceAccount?: string) =>
      decide(
        anyone,
        agent,
        { action, resource, context: { 'aws:ResourceAccount': resourceAccount ?? ACCOUNT } },
        { endpointPolicy: policy, resourceAccount, resourcePolicy: resourceAccount ? openBucket : undefined },
      );
    // Act
    const decisions = await Promise.all([
      via('s3:GetObject', layer, '999999999999'),
      via('s3:PutObject', `arn:aws:s3:::${names.prefix}-artifacts/x`),
      via('s3:PutObject', 'arn:aws:s3:::attacker-exfil/x', '444455556666'),
      via('s3:GetObject', 'arn:aws:s3:::attacker-tools/payload', '444455556666'),
      via('s3:PutObject', `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/x`, '999999999999'),
    ]);
    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it("admits over the DynamoDB endpoint only this environment's tables", async () => {
    // Prepare
    const policy = endpointPolicy('dynamodb');
    const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    // Act
    const decisions = await Promise.all(
      [table(names.tables.tasks), `${table(names.tables.tasks)}/index/repo-index`, table(platformNames('staging').tables.tasks), table('someone-else')].map(
        (resource) => decide(anyone, agent, { action: 'dynamodb:UpdateItem', resource }, { endpointPolicy: policy }),
      ),
    );
    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it("lets upstream ABCA's agent install its tools: mise's node builds and version lists, Corepack's Yarn (exact names)", () => {
    // Act
    const [, baseline] = find(dev.json, 'aws_route53_resolver_firewall_domain_list', 'name', names.dnsFirewall.baselineList);
    // Assess
    expect(baseline.domains).toEqual(expect.arrayContaining(['nodejs.org', 'mise-versions.jdx.dev', 'repo.yarnpkg.com', 'registry.npmjs.org', 'github.com']));
    expect((baseline.domains as string[]).filter((d) => d.endsWith('jdx.dev') || d.endsWith('yarnpkg.com') || d.endsWith('nodejs.org'))).toHaveLength(3);
  });

  it('keeps the DNS baseline to exact names: the region endpoints the platform uses, GitHub, npm, PyPI; no wildcard over anyone', () => {
    // Act
    const [, baseline] = find(dev.json, 'aws_route53_resolver_firewall_domain_list', 'name', names.dnsFirewall.baselineList);
    const domains = (baseline.domains as string[]).map((d) => resolveRefs(d, dev.json));
    // Assess
    expect(domains.filter((d) => d.includes('*'))).toEqual([]);
    expect(domains.filter((d) => publicSuffixProblem(d))).toEqual([]);
    expect(domains).toEqual(
      expect.arrayContaining([
        `api.ecr.${REGION}.amazonaws.com`,
        `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
        `prod-${REGION}-starport-layer-bucket.s3.${REGION}.amazonaws.com`,
        `logs.${REGION}.amazonaws.com`,
        `bedrock-runtime.${REGION}.amazonaws.com`,
        'github.com',
        'registry.npmjs.org',
        'pypi.org',
      ]),
    );
    expect(domains.filter((d) => d.endsWith('.amazonaws.com') && !d.includes(`.${REGION}.`))).toEqual(['sts.amazonaws.com']);
  });
});
