/**
 * Evaluates synthesized identity policies with @cloud-copilot/iam-simulate (a real IAM policy
 * evaluation engine: actions, resources, condition operators, validation of action/ARN shapes).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT } from '../../../src/local/iam/synthesized';

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
