/**
 * The infra suites' support. Synthesizes the infra stack in-process (Testing.app + Testing.synth)
 * and reads the JSON: each test file synthesizes once (beforeAll) and asserts on the parsed result.
 * Evaluates the synthesized identity policies with @cloud-copilot/iam-simulate (a real IAM policy
 * evaluation engine: actions, resources, condition operators, validation of action/ARN shapes).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { bundleDirs, bundleHandlers, type HandlerName } from '../../src/build/handlers';
import { Blueprint, type BlueprintProps } from '../../stacks/constructs/blueprint';
import { InfraStack, STACK_NAME } from '../../stacks/infra-stack';
import { readSettings } from '../../stacks/settings';
import { runSimulation } from '@cloud-copilot/iam-simulate';

export type TfConfig = Record<string, unknown> & { lifecycle?: { ignore_changes?: string[] } };
export interface TfJson {
  resource: Record<string, Record<string, TfConfig>>;
  data?: Record<string, Record<string, TfConfig>>;
  output?: Record<string, { value: string }>;
  terraform: Record<string, unknown>;
  provider: Record<string, unknown[]>;
}

export interface Synthesized {
  json: TfJson;
  stack: InfraStack;
}

export const TEST_REPOSITORY = 'acme-org/abca';

/** Bundles the real handlers into this worker's temp folder (the stack zips these folders). */
export async function testBundles(): Promise<Record<HandlerName, string>> {
  // One folder per jest worker: files in a worker run one after another, workers in parallel.
  const dir = path.join(os.tmpdir(), `abca-test-bundles-${process.pid}`);
  await bundleHandlers({ outDir: dir });
  return bundleDirs(dir);
}

export function synthInfraJson(bundles: Record<HandlerName, string>, context: Record<string, unknown> = {}, blueprints: BlueprintProps[] = []): Synthesized {
  const app = Testing.app({ stackTraces: false, context: { githubRepository: TEST_REPOSITORY, ...context } });
  const stack = new InfraStack(app, STACK_NAME, { settings: readSettings(app), bundles });
  blueprints.forEach((b, i) => new Blueprint(stack, `blueprint-${i}`, b));
  return { stack, json: JSON.parse(Testing.synth(stack)) as TfJson };
}

/** Every resource of one type as [logical id, config]. */
export function resources(json: TfJson, type: string): [string, TfConfig][] {
  return Object.entries(json.resource[type] ?? {});
}

/** The single resource of a type (fails when there is not exactly one). */
export function only(json: TfJson, type: string): TfConfig {
  const found = resources(json, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]![1];
}

/** The resource of a type whose attribute equals value. */
export function find(json: TfJson, type: string, attr: string, value: unknown): [string, TfConfig] {
  const hit = resources(json, type).find(([, c]) => c[attr] === value);
  if (!hit) throw new Error(`no ${type} with ${attr} = ${JSON.stringify(value)}`);
  return hit;
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/**
 * Replaces Terraform references (`${aws_x.id.attr}`, data sources) with the values AWS would
 * produce for this account/region, from each resource's own configuration. An unknown reference
 * throws, so a policy can never silently hold an unresolved placeholder.
 */
export function resolveRefs(text: string, json: TfJson): string {
  return text.replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
    const m = /^(data\.)?(aws_[a-z0-9_]+)\.([^.]+)\.([a-z_]+)$/.exec(expr);
    if (!m) throw new Error(`cannot resolve \${${expr}}`);
    const [, isData, type, id, attr] = m as unknown as [string, string | undefined, string, string, string];
    if (isData) {
      const value = { partition: 'aws', region: REGION, account_id: ACCOUNT, dns_suffix: 'amazonaws.com' }[attr];
      if (value === undefined) throw new Error(`cannot resolve data ${type}.${attr}`);
      return value;
    }
    const c = json.resource[type]?.[id];
    if (!c) throw new Error(`reference to a missing resource ${type}.${id}`);
    const name = String(c.name ?? '');
    const arns: Record<string, () => string> = {
      'aws_ssm_parameter.arn': () => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
      'aws_dynamodb_table.arn': () => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
      'aws_dynamodb_table.name': () => name,
      'aws_dynamodb_table.stream_arn': () => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}/stream/2026-01-01T00:00:00.000`,
      'aws_ecr_repository.arn': () => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
      'aws_iam_role.arn': () => `arn:aws:iam::${ACCOUNT}:role/${name}`,
      'aws_iam_openid_connect_provider.arn': () => `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(c.url).replace(/^https:\/\//, '')}`,
      'aws_lambda_function.arn': () => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${String(c.function_name)}`,
      'aws_cloudwatch_log_group.arn': () => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`,
      'aws_bedrockagentcore_agent_runtime.agent_runtime_arn': () =>
        `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${String(c.agent_runtime_name)}-a1b2c3d4e5`,
      'aws_route53_resolver_firewall_domain_list.arn': () => `arn:aws:route53resolver:${REGION}:${ACCOUNT}:firewall-domain-list/rslvr-fdl-${id.length}`,
    };
    const resolver = arns[`${type}.${attr}`];
    if (!resolver) throw new Error(`cannot resolve ${type}.${attr}`);
    return resolver();
  });
}

/** The inline policy attached to the role named roleName, with references resolved. */
export function rolePolicy(json: TfJson, roleName: string): { Version: string; Statement: Record<string, unknown>[] } {
  const [roleId] = find(json, 'aws_iam_role', 'name', roleName);
  const policies = resources(json, 'aws_iam_role_policy').filter(([, c]) => c.role === `\${aws_iam_role.${roleId}.name}`);
  if (policies.length !== 1) throw new Error(`expected one inline policy on ${roleName}, found ${policies.length}`);
  return JSON.parse(resolveRefs(String(policies[0]![1].policy), json));
}

export function trustPolicyOf(json: TfJson, roleName: string): { Statement: Record<string, unknown>[] } {
  const [, role] = find(json, 'aws_iam_role', 'name', roleName);
  return JSON.parse(resolveRefs(String(role.assume_role_policy), json));
}

// Policy evaluation.

export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Other policies in the evaluation: a permissions boundary, a VPC endpoint policy. */
export interface AlsoEvaluated {
  boundary?: unknown;
  endpointPolicy?: unknown;
  /** The resource's own policy (a bucket policy), for requests into another account. */
  resourcePolicy?: unknown;
  /** The account owning the resource; default: ours. */
  resourceAccount?: string;
}

export async function decide(policy: unknown, principal: string, req: Request, also: AlsoEvaluated = {}): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action: req.action,
        resource: { resource: req.resource, accountId: also.resourceAccount ?? ACCOUNT },
        contextVariables: req.context ?? {},
      },
      identityPolicies: [{ name: 'inline', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(also.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: also.boundary }] } : {}),
      ...(also.endpointPolicy ? { vpcEndpointPolicies: [{ name: 'endpoint', policy: also.endpointPolicy }] } : {}),
      ...(also.resourcePolicy ? { resourcePolicy: also.resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation of ${req.action} on ${req.resource} failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
