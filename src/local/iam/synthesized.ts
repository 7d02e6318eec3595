/**
 * The synthesized stack (cdktf JSON) as AWS would see it: Terraform references resolved to the
 * ARNs AWS gives this account and region, and every role's policies gathered (inline, attached,
 * permissions boundary, trust) with the resource policies the stack writes. Shared by the infra
 * tests (test/infra/support) and local IAM enforcement, so both judge the same documents.
 */

export type TfConfig = Record<string, unknown> & { lifecycle?: { ignore_changes?: string[] } };
export interface TfJson {
  resource: Record<string, Record<string, TfConfig>>;
  data?: Record<string, Record<string, TfConfig>>;
  output?: Record<string, { value: string }>;
  terraform: Record<string, unknown>;
  provider: Record<string, unknown[]>;
}

/** moto's default account; the region local mode and the tests use. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface Place {
  account: string;
  region: string;
  /**
   * Values for references AWS would generate (`aws_bedrockagentcore_agent_runtime.<id>.agent_runtime_arn`
   * carries a random suffix): local mode passes what its bootstrap actually created.
   */
  refs?: Record<string, string>;
}
const HERE: Place = { account: ACCOUNT, region: REGION };

/** Every resource of one type as [logical id, config]. */
export function resources(json: TfJson, type: string): [string, TfConfig][] {
  return Object.entries(json.resource[type] ?? {});
}

/**
 * Replaces Terraform references (`${aws_x.id.attr}`, data sources) with the values AWS would
 * produce for this account/region, from each resource's own configuration. An unknown reference
 * throws, so a policy can never silently hold an unresolved placeholder.
 */
export function resolveRefs(text: string, json: TfJson, place: Place = HERE): string {
  const { account, region } = place;
  return text.replace(/(\$?)\$\{([^}]+)\}/g, (_, escaped: string, expr: string) => {
    // `$${...}` is Terraform's escape for a literal `${...}` (an IAM policy variable).
    if (escaped) return `\${${expr}}`;
    const given = place.refs?.[expr];
    if (given !== undefined) return given;
    const m = /^(data\.)?(aws_[a-z0-9_]+)\.([^.]+)\.([a-z_]+)$/.exec(expr);
    if (!m) throw new Error(`cannot resolve \${${expr}}`);
    const [, isData, type, id, attr] = m as unknown as [string, string | undefined, string, string, string];
    if (isData) {
      const value = { partition: 'aws', region, account_id: account, dns_suffix: 'amazonaws.com' }[attr];
      if (value === undefined) throw new Error(`cannot resolve data ${type}.${attr}`);
      return value;
    }
    const c = json.resource[type]?.[id];
    if (!c) throw new Error(`reference to a missing resource ${type}.${id}`);
    const name = String(c.name ?? '');
    const arns: Record<string, () => string> = {
      'aws_ssm_parameter.arn': () => `arn:aws:ssm:${region}:${account}:parameter${name}`,
      'aws_dynamodb_table.arn': () => `arn:aws:dynamodb:${region}:${account}:table/${name}`,
      'aws_dynamodb_table.name': () => name,
      'aws_dynamodb_table.stream_arn': () => `arn:aws:dynamodb:${region}:${account}:table/${name}/stream/2026-01-01T00:00:00.000`,
      'aws_ecr_repository.arn': () => `arn:aws:ecr:${region}:${account}:repository/${name}`,
      'aws_ecr_repository.name': () => name,
      'aws_iam_role.arn': () => `arn:aws:iam::${account}:role/${name}`,
      'aws_iam_role.name': () => name,
      'aws_iam_policy.arn': () => `arn:aws:iam::${account}:policy/${name}`,
      'aws_iam_openid_connect_provider.arn': () => `arn:aws:iam::${account}:oidc-provider/${String(c.url).replace(/^https:\/\//, '')}`,
      'aws_lambda_function.arn': () => `arn:aws:lambda:${region}:${account}:function:${String(c.function_name)}`,
      'aws_cloudwatch_log_group.arn': () => `arn:aws:logs:${region}:${account}:log-group:${name}`,
      'aws_bedrockagentcore_agent_runtime.agent_runtime_arn': () =>
        `arn:aws:bedrock-agentcore:${region}:${account}:runtime/${String(c.agent_runtime_name)}-a1b2c3d4e5`,
      'aws_route53_resolver_firewall_domain_list.arn': () => `arn:aws:route53resolver:${region}:${account}:firewall-domain-list/rslvr-fdl-${id.length}`,
    };
    const resolver = arns[`${type}.${attr}`];
    if (!resolver) throw new Error(`cannot resolve ${type}.${attr}`);
    return resolver();
  });
}

/**
 * The `refs` for what the local bootstrap created: every agent runtime of the stack resolves to
 * the runtime ARN (and id) the emulator generated, so runtime-scoped grants name the real runtime.
 */
export function localRefs(json: TfJson, created: { agentRuntimeArn: string }): Record<string, string> {
  const refs: Record<string, string> = {};
  const id = created.agentRuntimeArn.split('/').pop() ?? '';
  for (const [logical] of resources(json, 'aws_bedrockagentcore_agent_runtime')) {
    refs[`aws_bedrockagentcore_agent_runtime.${logical}.agent_runtime_arn`] = created.agentRuntimeArn;
    refs[`aws_bedrockagentcore_agent_runtime.${logical}.agent_runtime_id`] = id;
  }
  return refs;
}

/** A policy document as IAM stores it. */
export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

/** One named policy of a role (the name shows in decisions and in the unused-grants report). */
export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/** What AWS evaluates for requests made with a session of this role. */
export interface RolePolicies {
  name: string;
  arn: string;
  identity: NamedPolicy[];
  boundary?: NamedPolicy;
  trust: PolicyDocument;
}

/**
 * Everything the enforcement point needs, as plain JSON (a launcher may read it from a file):
 * roles by ARN, resource policies by resource ARN, and each table's partition key (the source of
 * dynamodb:LeadingKeys).
 */
export interface CompiledPolicies {
  account: string;
  region: string;
  roles: Record<string, RolePolicies>;
  resourcePolicies: Record<string, NamedPolicy>;
  tables: Record<string, { hashKey: string }>;
}

/**
 * The AWS managed policies the stack attaches, as AWS publishes them (AWS Managed Policy reference
 * guide, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/). Another one throws
 * until it is added here.
 */
export const MANAGED_POLICIES: Record<string, PolicyDocument> = {
  'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:DescribeLogGroups',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
          'logs:GetLogEvents',
          'logs:FilterLogEvents',
        ],
        Resource: '*',
      },
    ],
  },
};

const parse = (text: unknown, json: TfJson, place: Place): PolicyDocument => JSON.parse(resolveRefs(String(text), json, place)) as PolicyDocument;

/** The logical id a `${aws_iam_role.<id>.name}` / `.arn` / `.id` reference points at. */
function referencedId(ref: unknown, type: string): string | undefined {
  return new RegExp(`^\\$\\{${type}\\.([^.]+)\\.(name|arn|id)\\}$`).exec(String(ref ?? ''))?.[1];
}

/** The role of a reference or a plain role name. */
function roleIdOf(json: TfJson, ref: unknown): string | undefined {
  return referencedId(ref, 'aws_iam_role') ?? resources(json, 'aws_iam_role').find(([, c]) => c.name === ref)?.[0];
}

/**
 * Gathers every role of the synthesized stack with its identity policies (aws_iam_role_policy,
 * inline_policy blocks, aws_iam_role_policy_attachment of aws_iam_policy), its permissions boundary
 * and trust policy, plus ECR repository policies and DynamoDB key schemas. Managed AWS policies
 * (arn:aws:iam::aws:policy/...) are not in the JSON: they come from MANAGED_POLICIES, and one
 * missing there throws, so nothing is silently left out.
 */
export function compilePolicies(json: TfJson, place: Place = HERE): CompiledPolicies {
  const { account } = place;
  const roles: Record<string, RolePolicies> = {};
  const byId: Record<string, RolePolicies> = {};
  const policyByArn = new Map<string, NamedPolicy>();
  for (const [, p] of resources(json, 'aws_iam_policy')) {
    policyByArn.set(`arn:aws:iam::${account}:policy/${String(p.name)}`, { name: String(p.name), policy: parse(p.policy, json, place) });
  }
  for (const [id, c] of resources(json, 'aws_iam_role')) {
    const name = String(c.name);
    const role: RolePolicies = { name, arn: `arn:aws:iam::${account}:role/${name}`, identity: [], trust: parse(c.assume_role_policy, json, place) };
    for (const inline of (c.inline_policy as { name?: string; policy?: string }[] | undefined) ?? []) {
      if (inline.policy) role.identity.push({ name: String(inline.name), policy: parse(inline.policy, json, place) });
    }
    if (c.permissions_boundary) {
      const arn = resolveRefs(String(c.permissions_boundary), json, place);
      const boundary = policyByArn.get(arn);
      if (!boundary) throw new Error(`role ${name}: permissions boundary ${arn} is not a policy of the stack`);
      role.boundary = boundary;
    }
    roles[role.arn] = role;
    byId[id] = role;
  }
  for (const [id, c] of resources(json, 'aws_iam_role_policy')) {
    const roleId = roleIdOf(json, c.role);
    if (!roleId) throw new Error(`aws_iam_role_policy.${id}: role ${String(c.role)} is not a role of the stack`);
    byId[roleId]!.identity.push({ name: String(c.name ?? id), policy: parse(c.policy, json, place) });
  }
  for (const [id, c] of resources(json, 'aws_iam_role_policy_attachment')) {
    const roleId = roleIdOf(json, c.role);
    if (!roleId) throw new Error(`aws_iam_role_policy_attachment.${id}: role ${String(c.role)} is not a role of the stack`);
    const arn = resolveRefs(String(c.policy_arn), json, place);
    const managed = MANAGED_POLICIES[arn];
    const attached = policyByArn.get(arn) ?? (managed ? { name: arn.split('/').pop()!, policy: managed } : undefined);
    if (!attached) throw new Error(`aws_iam_role_policy_attachment.${id}: ${arn} is not a policy of the stack`);
    byId[roleId]!.identity.push(attached);
  }
  const resourcePolicies: Record<string, NamedPolicy> = {};
  for (const [id, c] of resources(json, 'aws_ecr_repository_policy')) {
    const repoId = referencedId(c.repository, 'aws_ecr_repository');
    const repoName = repoId ? String(json.resource.aws_ecr_repository?.[repoId]?.name) : String(c.repository);
    resourcePolicies[`arn:aws:ecr:${place.region}:${account}:repository/${repoName}`] = { name: id, policy: parse(c.policy, json, place) };
  }
  const tables: Record<string, { hashKey: string }> = {};
  for (const [, c] of resources(json, 'aws_dynamodb_table')) tables[String(c.name)] = { hashKey: String(c.hash_key) };
  return { account, region: place.region, roles, resourcePolicies, tables };
}
