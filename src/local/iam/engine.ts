/**
 * The evaluation: @cloud-copilot/iam-simulate (a real IAM policy engine) against a role's policies
 * as synthesized from the stack, its permissions boundary and the resource's own policy.
 * Policies are validated once when the engine is built (a policy IAM would refuse fails here, not
 * on some later request); decisions are memoized per (principal, question), since a role, its
 * policies and a question fully determine the answer.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { globMatch } from './grants';
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

/** A role's policies cut down to the statements that can apply to one action. */
interface ForAction {
  identity: { name: string; policy: Validated }[];
  boundary?: { name: string; policy: Validated }[];
  /** Condition keys and policy variables (lower case) those statements read. */
  keys: Set<string>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : ([v].flat() as string[]));

/** Whether a statement can apply to the action (NotAction statements are kept: they may). */
function mayApply(statement: Record<string, unknown>, action: string): boolean {
  if (statement.NotAction !== undefined) return true;
  return list(statement.Action).some((p) => globMatch(p, action, true));
}

/** Condition keys a statement reads, and the policy variables (`${aws:PrincipalTag/x}`) it uses. */
function keysRead(statement: Record<string, unknown>, into: Set<string>): void {
  for (const operator of Object.values((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const key of Object.keys(operator)) into.add(key.toLowerCase());
  }
  for (const m of JSON.stringify(statement).matchAll(/\$\{([^}]+)\}/g)) into.add(m[1]!.toLowerCase());
}

function cut(named: { name: string; policy: Validated }, action: string, keys: Set<string>): { name: string; policy: Validated } {
  const Statement = named.policy.policyDocument.Statement.filter((st) => mayApply(st, action));
  Statement.forEach((st) => keysRead(st, keys));
  return { name: named.name, policy: { ...named.policy, policyDocument: { ...named.policy.policyDocument, Statement } } };
}

export function sessionArn(account: string, s: Pick<Session, 'roleArn' | 'sessionName'>): string {
  return `arn:aws:sts::${account}:assumed-role/${s.roleArn.split('/').pop()}/${s.sessionName}`;
}

const MEMO_LIMIT = 50_000;

export class Authorizer {
  private readonly roles = new Map<string, CompiledRole>();
  private readonly resourcePolicies = new Map<string, Validated>();
  private readonly memo = new Map<string, Verdict>();
  private readonly forAction = new Map<string, ForAction>();
  private readonly resourcePolicyKeys = new Set<string>();
  /** Milliseconds spent in the policy engine (cache misses), for the bench. */
  engineMs = 0;

  private constructor(readonly policies: CompiledPolicies) {}

  /** Validates every policy once (throws naming the role and policy IAM would refuse). */
  static async create(policies: CompiledPolicies): Promise<Authorizer> {
    const a = new Authorizer({ ...policies, roles: {}, resourcePolicies: {}, tables: {} });
    await a.extend(policies);
    return a;
  }

  /**
   * Adds (or replaces, by ARN) roles, resource policies and tables: another environment, or the
   * same one compiled again once its bootstrap created the real runtime ARN. Memoized decisions
   * are dropped, since a replaced role may now answer differently.
   */
  async extend(policies: CompiledPolicies): Promise<void> {
    const compiled = new Map<string, CompiledRole>();
    for (const role of Object.values(policies.roles)) {
      const check = await runSimulation(
        {
          request: {
            principal: role.arn,
            action: 'sts:GetCallerIdentity',
            resource: { resource: '*', accountId: this.policies.account },
            contextVariables: {},
          },
          identityPolicies: role.identity.map((p) => ({ name: p.name, policy: p.policy })),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(role.boundary ? { permissionBoundaryPolicies: [{ name: role.boundary.name, policy: role.boundary.policy }] } : {}),
        },
        {},
      );
      if (check.resultType === 'error') throw new Error(`role ${role.name}: a policy IAM would refuse: ${JSON.stringify(check.errors)}`);
      compiled.set(role.arn, {
        role,
        identity: role.identity.map((p) => ({ name: p.name, policy: validated(p) })),
        ...(role.boundary ? { boundary: [{ name: role.boundary.name, policy: validated(role.boundary) }] } : {}),
      });
    }
    // All validated before any is swapped in: a refused policy leaves the authorizer as it was.
    for (const [arn, role] of compiled) this.roles.set(arn, role);
    for (const [arn, p] of Object.entries(policies.resourcePolicies)) {
      this.resourcePolicies.set(arn, validated(p));
      p.policy.Statement.forEach((st) => keysRead(st, this.resourcePolicyKeys));
    }
    Object.assign(this.policies.roles, policies.roles);
    Object.assign(this.policies.resourcePolicies, policies.resourcePolicies);
    Object.assign(this.policies.tables, policies.tables);
    this.memo.clear();
    this.forAction.clear();
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

  /** The role's statements that can apply to an action, and the keys they read (built once). */
  private cutFor(compiled: CompiledRole, action: string): ForAction {
    const id = `${compiled.role.arn} ${action}`;
    let cached = this.forAction.get(id);
    if (!cached) {
      const keys = new Set(this.resourcePolicyKeys);
      cached = {
        identity: compiled.identity.map((p) => cut(p, action, keys)),
        ...(compiled.boundary ? { boundary: compiled.boundary.map((p) => cut(p, action, keys)) } : {}),
        keys,
      };
      this.forAction.set(id, cached);
    }
    return cached;
  }

  /**
   * Decides one question for a session of a role. A role the stack does not have is denied.
   * Memoized on what can change the answer: role, session, action, resource, and the values of
   * the condition keys the applicable statements read (a task id no policy reads is not part of it).
   */
  async decide(session: Session, question: Question, region = this.policies.region): Promise<Verdict> {
    const compiled = this.roles.get(session.roleArn);
    const read = compiled ? this.cutFor(compiled, question.action).keys : new Set<string>();
    const context = { ...this.sessionContext(session, region), ...question.context };
    const relevant = Object.entries(context).filter(([k]) => read.has(k.toLowerCase()));
    const key = JSON.stringify([session.roleArn, session.sessionName, question.action, question.resource, relevant]);
    const hit = this.memo.get(key);
    if (hit) return { ...hit, question };
    const verdict = await this.evaluate(session, question, region);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, verdict);
    return verdict;
  }

  private async evaluate(session: Session, question: Question, region: string): Promise<Verdict> {
    const compiled = this.roles.get(session.roleArn);
    if (!compiled) return { decision: 'ImplicitlyDenied', question, reason: `the role ${session.roleArn} is not a role of the synthesized stack` };
    const started = performance.now();
    const applicable = this.cutFor(compiled, question.action);
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
        identityPolicies: applicable.identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(applicable.boundary ? { permissionBoundaryPolicies: applicable.boundary } : {}),
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    this.engineMs += performance.now() - started;
    if (result.resultType === 'error') {
      return {
        decision: 'ImplicitlyDenied',
        question,
        reason: `the IAM engine cannot evaluate ${question.action} on ${question.resource}: ${JSON.stringify(result.errors)}`,
      };
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
