/**
 * The evaluation: @cloud-copilot/iam-simulate (a real IAM policy engine) against a role's policies
 * as synthesized from the stack, its permissions boundary and the resource's own policy.
 * Policies are validated once when the engine is built (a policy IAM would refuse fails here, not
 * on some later request); decisions are memoized per (principal, question), since a role, its
 * policies and a question fully determine the answer.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { CompiledPolicies, NamedPolicy, PolicyDocument, RolePolicies } from './synthesized';
import type { ContextValues, Question } from './request';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Who sends a request: a session of a role, with its session tags. */
export interface Session {
  roleArn: string;
  sessionName: string;
  tags: Record<string, string>;
  /** Tag keys passed on to sessions this one assumes (sts:TransitiveTagKeys). */
  transitiveTagKeys?: string[];
}

export interface Verdict {
  decision: Decision;
  question: Question;
  /** Why a refusal happened, in AWS's words ("no identity-based policy allows ..."). */
  reason?: string;
}

/** A document as iam-simulate takes one it need not validate again (its ValidatedPolicy shape). */
interface Validated {
  __validated: true;
  policyDocument: PolicyDocument;
  metadata: { name: string };
  errors: readonly [];
}
const validated = (p: NamedPolicy): Validated => ({ __validated: true, policyDocument: p.policy, metadata: { name: p.name }, errors: [] });

interface CompiledRole {
  role: RolePolicies;
  identity: { name: string; policy: Validated }[];
  boundary?: { name: string; policy: Validated }[];
}

export function sessionArn(account: string, s: Pick<Session, 'roleArn' | 'sessionName'>): string {
  return `arn:aws:sts::${account}:assumed-role/${s.roleArn.split('/').pop()}/${s.sessionName}`;
}

const MEMO_LIMIT = 50_000;

export class Authorizer {
  private readonly roles = new Map<string, CompiledRole>();
  private readonly resourcePolicies = new Map<string, Validated>();
  private readonly memo = new Map<string, Verdict>();
  /** Milliseconds spent in the policy engine (cache misses), for the bench. */
  engineMs = 0;

  private constructor(readonly policies: CompiledPolicies) {}

  /** Validates every policy once (throws naming the role and policy IAM would refuse). */
  static async create(policies: CompiledPolicies): Promise<Authorizer> {
    const a = new Authorizer(policies);
    for (const role of Object.values(policies.roles)) {
      const check = await runSimulation(
        {
          request: { principal: role.arn, action: 'sts:GetCallerIdentity', resource: { resource: '*', accountId: policies.account }, contextVariables: {} },
          identityPolicies: role.identity.map((p) => ({ name: p.name, policy: p.policy })),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(role.boundary ? { permissionBoundaryPolicies: [{ name: role.boundary.name, policy: role.boundary.policy }] } : {}),
        },
        {},
      );
      if (check.resultType === 'error') throw new Error(`role ${role.name}: a policy IAM would refuse: ${JSON.stringify(check.errors)}`);
      a.roles.set(role.arn, {
        role,
        identity: role.identity.map((p) => ({ name: p.name, policy: validated(p) })),
        ...(role.boundary ? { boundary: [{ name: role.boundary.name, policy: validated(role.boundary) }] } : {}),
      });
    }
    for (const [arn, p] of Object.entries(policies.resourcePolicies)) a.resourcePolicies.set(arn, validated(p));
    return a;
  }

  role(roleArn: string): RolePolicies | undefined {
    return this.roles.get(roleArn)?.role;
  }

  /** The request context AWS adds for a session: who it is and its tags. */
  sessionContext(session: Session, region: string): ContextValues {
    const ctx: ContextValues = {
      'aws:PrincipalArn': session.roleArn,
      'aws:PrincipalAccount': this.policies.account,
      'aws:PrincipalType': 'AssumedRole',
      'aws:RequestedRegion': region,
    };
    for (const [k, v] of Object.entries(session.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
    return ctx;
  }

  /** Decides one question for a session of a role. A role the stack does not have is denied. */
  async decide(session: Session, question: Question, region = this.policies.region): Promise<Verdict> {
    const key = JSON.stringify([session.roleArn, session.sessionName, session.tags, question.action, question.resource, question.context, region]);
    const hit = this.memo.get(key);
    if (hit) return hit;
    const verdict = await this.evaluate(session, question, region);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, verdict);
    return verdict;
  }

  private async evaluate(session: Session, question: Question, region: string): Promise<Verdict> {
    const compiled = this.roles.get(session.roleArn);
    if (!compiled) return { decision: 'ImplicitlyDenied', question, reason: `the role ${session.roleArn} is not a role of the synthesized stack` };
    const started = performance.now();
    const resourcePolicy = this.resourcePolicies.get(question.resource);
    const account = /^arn:aws:[^:]*:[^:]*:(\d{12}):/.exec(question.resource)?.[1] ?? this.policies.account;
    const result = await runSimulation(
      {
        request: {
          principal: sessionArn(this.policies.account, session),
          action: question.action,
          resource: { resource: question.resource, accountId: account },
          contextVariables: { ...this.sessionContext(session, region), ...question.context },
        },
        identityPolicies: compiled.identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(compiled.boundary ? { permissionBoundaryPolicies: compiled.boundary } : {}),
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    this.engineMs += performance.now() - started;
    if (result.resultType === 'error') {
      return { decision: 'ImplicitlyDenied', question, reason: `the IAM engine cannot evaluate ${question.action} on ${question.resource}: ${JSON.stringify(result.errors)}` };
    }
    const decision = result.overallResult as Decision;
    if (decision === 'Allowed') return { decision, question };
    const analysis = result.resultType === 'single' ? result.result.analysis : undefined;
    return { decision, question, reason: refusalReason(decision, question.action, analysis) };
  }

  /** Whether a role's trust policy lets this principal assume it (the role's resource policy). */
  async trusts(targetRoleArn: string, caller: Session, question: Question): Promise<boolean> {
    const target = this.roles.get(targetRoleArn);
    if (!target) return false;
    const result = await runSimulation(
      {
        request: {
          principal: sessionArn(this.policies.account, caller),
          action: question.action,
          resource: { resource: targetRoleArn, accountId: this.policies.account },
          contextVariables: { ...this.sessionContext(caller, this.policies.region), ...question.context },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: target.role.trust,
      },
      {},
    );
    return result.resultType !== 'error' && result.overallResult === 'Allowed';
  }
}

type Analysis = { result: string } | undefined;

/** AWS's wording for which policy type refused (IAM User Guide, "Access denied error messages"). */
function refusalReason(
  decision: Decision,
  action: string,
  analysis: { identityAnalysis?: Analysis; permissionBoundaryAnalysis?: Analysis; resourceAnalysis?: Analysis } | undefined,
): string {
  const identity = analysis?.identityAnalysis?.result;
  const boundary = analysis?.permissionBoundaryAnalysis?.result;
  if (decision === 'ExplicitlyDenied') {
    return boundary === 'ExplicitlyDenied' && identity !== 'ExplicitlyDenied'
      ? 'with an explicit deny in a permissions boundary'
      : analysis?.resourceAnalysis?.result === 'ExplicitlyDenied' && identity !== 'ExplicitlyDenied'
        ? 'with an explicit deny in a resource-based policy'
        : 'with an explicit deny in an identity-based policy';
  }
  if (identity === 'Allowed' && boundary !== undefined && boundary !== 'Allowed') return `because no permissions boundary allows the ${action} action`;
  return `because no identity-based policy allows the ${action} action`;
}
