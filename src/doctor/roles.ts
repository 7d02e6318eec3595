/**
 * What each component's code path sends, as data in one place: the role it runs as, and per request
 * the IAM action and the resource ARN (built from the platform document) AWS authorizes it on. The
 * doctor asks a policy simulator whether each role is allowed each of them: on AWS
 * iam:SimulatePrincipalPolicy, locally the engine the emulator enforces with (src/local/iam/).
 * test/doctor/roles.test.ts checks every entry against src/local/iam/operations.ts (the same
 * operation maps to the same action and an ARN of the same shape), so the two cannot disagree.
 */
import type { PlatformConfig } from '../platform/platform-config';
import { platformNames, type PlatformNames } from '../platform/names';

export type ComponentName = 'api' | 'provisioner' | 'imagePointer' | 'reconciler' | 'publisher' | 'agent';

/** Where the ARNs are built: the platform document, its names, and the account it lives in. */
export interface RolePlace {
  platform: PlatformConfig;
  names: PlatformNames;
  account: string;
}

export type ContextValue = string | string[];

/** One request a component sends: the SDK operation and the IAM question AWS asks for it. */
export interface SentRequest {
  /** botocore's service name and the operation (the keys of src/local/iam/operations.ts). */
  service: string;
  operation: string;
  action: string;
  resource: (p: RolePlace) => string;
  /** Condition keys the request carries that the role's policy reads. */
  context?: (p: RolePlace) => Record<string, ContextValue>;
  /** Only where the platform has the resource (the DNS Firewall list is absent locally). */
  when?: (p: RolePlace) => boolean;
}

export interface ComponentRequests {
  role: (names: PlatformNames) => string;
  /** Where in the code the requests come from (for the report and whoever edits this table). */
  codePath: string;
  requests: SentRequest[];
}

const region = (p: RolePlace) => p.platform.region;
const table = (key: keyof PlatformConfig['tables']) => (p: RolePlace) => `arn:aws:dynamodb:${region(p)}:${p.account}:table/${p.platform.tables[key]}`;
const parameter = (name: (p: RolePlace) => string) => (p: RolePlace) => `arn:aws:ssm:${region(p)}:${p.account}:parameter${name(p)}`;
const platformParam = parameter((p) => p.names.parameters.platform);
const guardrailsParam = parameter((p) => p.platform.guardrailsParameter);
const pointerParam = parameter((p) => p.platform.imagePointerParameter);
const repository = (p: RolePlace) => `arn:aws:ecr:${region(p)}:${p.account}:repository/${p.platform.ecrRepositoryName}`;
const runtime = (p: RolePlace) => p.platform.agentRuntimeArn;
const endpoint = (which: 'liveEndpoint' | 'canaryEndpoint') => (p: RolePlace) => `${p.platform.agentRuntimeArn}/runtime-endpoint/${p.platform[which]}`;
const domainList = (p: RolePlace) => `arn:aws:route53resolver:${region(p)}:${p.account}:firewall-domain-list/${p.platform.onboardedDomainListId}`;
const hasDomainList = (p: RolePlace) => p.platform.onboardedDomainListId !== '';
// The stack tags what it creates with abca:env; the permissions boundary grants by that tag.
const envTag = (p: RolePlace) => ({ 'aws:ResourceTag/abca:env': p.platform.env });
// A token secret of one repository: names are `<secretPrefix>github-token/<owner>/<repo>` plus AWS's random suffix.
const tokenSecret = (p: RolePlace) => `arn:aws:secretsmanager:${region(p)}:${p.account}:secret:${p.platform.secretPrefix}github-token/acme/widgets-AbCdEf`;
const executionRole = (p: RolePlace) => `arn:aws:iam::${p.account}:role/${p.names.roles.runtimeExecution}`;
const passedToAgentCore = () => ({ 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' });

const req = (service: string, operation: string, action: string, resource: SentRequest['resource'], extra: Partial<SentRequest> = {}): SentRequest => ({
  service,
  operation,
  action,
  resource,
  ...extra,
});
const ddb = (operation: string, resource: SentRequest['resource'], extra: Partial<SentRequest> = {}) =>
  req('dynamodb', operation, `dynamodb:${operation}`, resource, extra);
const ssm = (operation: string, resource: SentRequest['resource']) => req('ssm', operation, `ssm:${operation}`, resource);
const agentcore = (operation: string, resource: SentRequest['resource']) =>
  req('bedrock-agentcore-control', operation, `bedrock-agentcore:${operation}`, resource);
const dataPlane = (operation: string, resource: SentRequest['resource']) => req('bedrock-agentcore', operation, `bedrock-agentcore:${operation}`, resource);
const passRole = req('bedrock-agentcore-control', 'UpdateAgentRuntime', 'iam:PassRole', executionRole, { context: passedToAgentCore });

export const COMPONENT_REQUESTS: Record<ComponentName, ComponentRequests> = {
  api: {
    role: (n) => n.roles.apiFn,
    codePath: 'src/handlers/api.ts → src/wiring/api.ts (repos, tasks, API keys, guardrails)',
    requests: [
      ssm('GetParameter', platformParam),
      ssm('GetParameter', guardrailsParam),
      req('secretsmanager', 'DescribeSecret', 'secretsmanager:DescribeSecret', tokenSecret),
      ddb('GetItem', table('repos')),
      ddb('PutItem', table('repos')),
      ddb('UpdateItem', table('repos')),
      ddb('Query', table('repos')),
      ddb('GetItem', table('tasks')),
      ddb('PutItem', table('tasks')),
      ddb('UpdateItem', table('tasks')),
      ddb('GetItem', table('apiKeys')),
      ddb('PutItem', table('audit')),
      dataPlane('InvokeAgentRuntime', runtime),
      dataPlane('InvokeAgentRuntime', endpoint('liveEndpoint')),
      dataPlane('StopRuntimeSession', runtime),
      dataPlane('StopRuntimeSession', endpoint('liveEndpoint')),
      req(
        'cognito-idp',
        'AdminListGroupsForUser',
        'cognito-idp:AdminListGroupsForUser',
        (p) => `arn:aws:cognito-idp:${region(p)}:${p.account}:userpool/${p.platform.userPoolId}`,
        {
          context: envTag,
        },
      ),
    ],
  },
  provisioner: {
    role: (n) => n.roles.provisionerFn,
    codePath: 'src/handlers/provisioner.ts → src/repos/provisioner.ts (Cedar, secrets, egress allowlist)',
    requests: [
      ssm('GetParameter', platformParam),
      req('secretsmanager', 'DescribeSecret', 'secretsmanager:DescribeSecret', tokenSecret),
      ddb('GetItem', table('repos')),
      ddb('UpdateItem', table('repos')),
      ddb('Query', table('repos')),
      ddb('PutItem', table('audit')),
      req('route53resolver', 'GetFirewallDomainList', 'route53resolver:GetFirewallDomainList', domainList, { when: hasDomainList, context: envTag }),
      req('route53resolver', 'ListFirewallDomains', 'route53resolver:ListFirewallDomains', domainList, { when: hasDomainList, context: envTag }),
      req('route53resolver', 'UpdateFirewallDomains', 'route53resolver:UpdateFirewallDomains', domainList, { when: hasDomainList, context: envTag }),
    ],
  },
  imagePointer: {
    role: (n) => n.roles.imagePointerFn,
    codePath: 'src/handlers/image-pointer.ts → src/runtime/verbs/reapply (publish plan: pointer, runtime, endpoints, labels, audit)',
    requests: [
      ssm('GetParameter', pointerParam),
      ssm('GetParameterHistory', pointerParam),
      // The plan's `labels` step (issue 21, item 2).
      ssm('LabelParameterVersion', pointerParam),
      req('ecr', 'DescribeImages', 'ecr:DescribeImages', repository),
      agentcore('GetAgentRuntime', runtime),
      agentcore('UpdateAgentRuntime', runtime),
      passRole,
      agentcore('GetAgentRuntimeEndpoint', runtime),
      agentcore('GetAgentRuntimeEndpoint', endpoint('liveEndpoint')),
      agentcore('GetAgentRuntimeEndpoint', endpoint('canaryEndpoint')),
      agentcore('UpdateAgentRuntimeEndpoint', runtime),
      agentcore('UpdateAgentRuntimeEndpoint', endpoint('liveEndpoint')),
      agentcore('UpdateAgentRuntimeEndpoint', endpoint('canaryEndpoint')),
      ddb('PutItem', table('audit')),
    ],
  },
  reconciler: {
    role: (n) => n.roles.reconcilerFn,
    codePath: 'src/handlers/reconciler.ts → src/tasks/reconciler.ts (stale heartbeats)',
    requests: [
      ssm('GetParameter', platformParam),
      ddb('GetItem', table('tasks')),
      ddb('UpdateItem', table('tasks')),
      ddb('Query', table('tasks')),
      ddb('GetItem', table('repos')),
      dataPlane('StopRuntimeSession', runtime),
      dataPlane('StopRuntimeSession', endpoint('liveEndpoint')),
    ],
  },
  publisher: {
    role: (n) => n.roles.runtimePublisher,
    codePath: 'scripts/publish-runtime.ts, rollback-runtime.ts (CI publisher role): src/runtime/move.ts',
    requests: [
      ssm('GetParameter', platformParam),
      ssm('GetParameter', pointerParam),
      ssm('PutParameter', pointerParam),
      ssm('GetParameterHistory', pointerParam),
      ssm('LabelParameterVersion', pointerParam),
      req('ecr', 'GetAuthorizationToken', 'ecr:GetAuthorizationToken', () => '*'),
      req('ecr', 'DescribeImages', 'ecr:DescribeImages', repository),
      req('ecr', 'PutImage', 'ecr:PutImage', repository),
      agentcore('GetAgentRuntime', runtime),
      agentcore('UpdateAgentRuntime', runtime),
      passRole,
      agentcore('ListAgentRuntimeVersions', () => '*'),
      agentcore('GetAgentRuntimeEndpoint', endpoint('liveEndpoint')),
      agentcore('UpdateAgentRuntimeEndpoint', endpoint('liveEndpoint')),
      agentcore('UpdateAgentRuntimeEndpoint', endpoint('canaryEndpoint')),
      dataPlane('InvokeAgentRuntime', endpoint('canaryEndpoint')),
      ddb('PutItem', table('audit')),
      ddb('Query', table('audit')),
      ddb('PutItem', table('locks')),
      ddb('DeleteItem', table('locks')),
    ],
  },
  agent: {
    role: (n) => n.roles.runtimeExecution,
    codePath: 'the agent container (AgentCore pulls its image; it writes its own task row through its per-task session role)',
    requests: [
      req('ecr', 'GetAuthorizationToken', 'ecr:GetAuthorizationToken', () => '*'),
      req('ecr', 'BatchGetImage', 'ecr:BatchGetImage', repository),
      req('ecr', 'GetDownloadUrlForLayer', 'ecr:GetDownloadUrlForLayer', repository),
      // Its task row only through the per-task session role (docs/agent-contract.md §6).
      req('sts', 'AssumeRole', 'sts:AssumeRole', (p) => `arn:aws:iam::${p.account}:role/${p.names.roles.agentSession}`),
    ],
  },
};

/** One question for the simulator: may this role do this action on this resource. */
export interface RoleQuestion {
  component: ComponentName;
  roleArn: string;
  action: string;
  resource: string;
  context: Record<string, ContextValue>;
}

/** Pure: the questions of every component, built from the platform document. */
export function roleQuestions(
  platform: PlatformConfig,
  account: string,
  components: Record<ComponentName, ComponentRequests> = COMPONENT_REQUESTS,
): RoleQuestion[] {
  const place: RolePlace = { platform, names: platformNames(platform.env), account };
  const out: RoleQuestion[] = [];
  for (const [component, c] of Object.entries(components) as [ComponentName, ComponentRequests][]) {
    const roleArn = `arn:aws:iam::${account}:role/${c.role(place.names)}`;
    for (const r of c.requests) {
      if (r.when && !r.when(place)) continue;
      out.push({ component, roleArn, action: r.action, resource: r.resource(place), context: r.context?.(place) ?? {} });
    }
  }
  return out;
}

/** The account the platform lives in, from its runtime ARN (no extra call needed). */
export function accountOf(platform: Pick<PlatformConfig, 'agentRuntimeArn'>): string | undefined {
  return /^arn:aws[a-z-]*:bedrock-agentcore:[^:]*:(\d{12}):/.exec(platform.agentRuntimeArn)?.[1];
}

export type SimDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface SimAnswer {
  decision: SimDecision;
  /** Why, when refused (the policy engine's words). */
  reason?: string;
}

/**
 * A policy simulator: answers each question of one role, in order. On AWS it is
 * iam:SimulatePrincipalPolicy (awsRoleSimulator); locally the emulator's enforcement engine.
 */
export interface RoleSimulator {
  /** Where answers come from, for the report ("iam:SimulatePrincipalPolicy", "local IAM engine"). */
  source: string;
  simulate(roleArn: string, questions: Pick<RoleQuestion, 'action' | 'resource' | 'context'>[]): Promise<SimAnswer[]>;
}

/** The members of IAM's SimulatePrincipalPolicy request and answer the doctor uses (IAM API reference). */
export interface SimulatePrincipalPolicyInput {
  PolicySourceArn: string;
  ActionNames: string[];
  ResourceArns: string[];
  ContextEntries?: { ContextKeyName: string; ContextKeyValues: string[]; ContextKeyType: 'string' | 'stringList' }[];
}
export interface SimulatePrincipalPolicyOutput {
  EvaluationResults?: { EvalActionName?: string; EvalResourceName?: string; EvalDecision?: string }[];
}

/** Pure: one question as one SimulatePrincipalPolicy request (one action on one resource, its context). */
export function simulateRequest(roleArn: string, q: Pick<RoleQuestion, 'action' | 'resource' | 'context'>): SimulatePrincipalPolicyInput {
  const entries = Object.entries(q.context).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: [value].flat(),
    ContextKeyType: Array.isArray(value) ? ('stringList' as const) : ('string' as const),
  }));
  return { PolicySourceArn: roleArn, ActionNames: [q.action], ResourceArns: [q.resource], ...(entries.length ? { ContextEntries: entries } : {}) };
}

/** Pure: IAM's EvalDecision (allowed | explicitDeny | implicitDeny) as the doctor's answer. */
export function simulateAnswer(out: SimulatePrincipalPolicyOutput): SimAnswer {
  const result = out.EvaluationResults?.[0];
  const decision = result?.EvalDecision;
  if (decision === 'allowed') return { decision: 'allowed' };
  if (decision === 'explicitDeny') return { decision: 'explicitDeny', reason: 'an explicit deny in a policy' };
  return { decision: 'implicitDeny', reason: decision === 'implicitDeny' ? 'no policy allows it' : `unexpected answer ${JSON.stringify(decision)}` };
}

/**
 * On AWS: iam:SimulatePrincipalPolicy for each question (the role's identity policies and its
 * permissions boundary; resource policies are not part of it). `send` is the thin edge: an IAM
 * client's SimulatePrincipalPolicyCommand.
 */
export function awsRoleSimulator(send: (input: SimulatePrincipalPolicyInput) => Promise<SimulatePrincipalPolicyOutput>): RoleSimulator {
  return {
    source: 'iam:SimulatePrincipalPolicy',
    simulate: async (roleArn, questions) => Promise.all(questions.map(async (q) => simulateAnswer(await send(simulateRequest(roleArn, q))))),
  };
}
