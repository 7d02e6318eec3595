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
import { ACCOUNT, resolveRefs, resources, type TfConfig, type TfJson } from '../../src/local/iam/synthesized';

// The reference resolution lives with local IAM enforcement, which judges the same documents.
export { ACCOUNT, REGION, resolveRefs, resources, type TfConfig, type TfJson } from '../../src/local/iam/synthesized';

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
