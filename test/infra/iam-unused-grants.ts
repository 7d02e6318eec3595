/**
 * Why each grant the suite never uses stays in the stack. The suite runs every component as its
 * role (docs/local-mode.md), so a grant none of its requests used is either dead (drop it from the
 * stack) or used by something the local bed does not run: an AWS service acting with the role
 * (Lambda's log agent, AgentCore's image pull, EventBridge Scheduler), Terraform (the CI deployer,
 * which the bootstrap stands for with admin credentials) or a service moto does not emulate.
 *
 * Rows name a statement: the role's name without `abca-<env>-`, the policy name and the Sid ('*':
 * every statement of that policy). After a whole `npm test`, global-teardown fails when the report
 * (test-results/iam-unused-grants.txt) holds a grant no row explains; test/infra/iam.test.ts checks
 * that every row names a statement the stack has.
 */
export interface UnusedGrantReason {
  role: string;
  policy: string;
  sid: string;
  reason: string;
}

const SERVICE_LOGS = "written by the Lambda service's log agent from the function's output, not by our code; nothing local stands for CloudWatch Logs";

export const UNUSED_GRANT_REASONS: UnusedGrantReason[] = [
  { role: 'api-fn', policy: 'handler', sid: 'Logs', reason: SERVICE_LOGS },
  { role: 'provisioner-fn', policy: 'handler', sid: 'Logs', reason: SERVICE_LOGS },
  { role: 'reconciler-fn', policy: 'handler', sid: 'Logs', reason: SERVICE_LOGS },
  { role: 'image-pointer-fn', policy: 'handler', sid: 'Logs', reason: SERVICE_LOGS },
  {
    role: 'provisioner-fn',
    policy: 'handler',
    sid: 'ReposStream',
    reason: "the Lambda service's event source mapping reads the repos table's stream for the function; locally the API notifies the provisioner in-process",
  },
  {
    role: 'provisioner-fn',
    policy: 'handler',
    sid: 'OnboardedDomains',
    reason:
      'Route 53 Resolver DNS Firewall is not in moto: the local platform has no domain list (its sync is tested through SDK middleware, test/api/egress-sync)',
  },
  {
    role: 'runtime-exec',
    policy: 'runtime',
    sid: 'Logs',
    reason: "AgentCore ships the container's output to CloudWatch Logs with the execution role; locally the agent's output goes to the data plane's log",
  },
  {
    role: 'runtime-exec',
    policy: 'runtime',
    sid: 'Metrics',
    reason: 'AgentCore observability (CloudWatch metrics) with the execution role: not emulated locally',
  },
  { role: 'runtime-exec', policy: 'runtime', sid: 'Traces', reason: 'AgentCore observability (X-Ray traces) with the execution role: not emulated locally' },
  {
    role: 'runtime-exec',
    policy: 'runtime',
    sid: 'EcrLogin',
    reason: 'AgentCore pulls the image with the execution role; the local data plane reads the image as the service (RuntimeResolver)',
  },
  { role: 'runtime-exec', policy: 'runtime', sid: 'PullImage', reason: 'as EcrLogin: the image pull is AgentCore’s, not the agent’s' },
  {
    role: 'runtime-exec',
    policy: 'runtime',
    sid: 'WorkloadIdentity',
    reason: "AgentCore's workload identity token for the session is fetched by the service; the local data plane has no identity service",
  },
  {
    role: 'runtime-exec',
    policy: 'runtime',
    sid: 'Models',
    reason: 'the agent calls Bedrock models on AWS; the local agent runs a scripted plan and calls no model (Bedrock runtime is not in moto)',
  },
  {
    role: 'apigw-logs',
    policy: 'AmazonAPIGatewayPushToCloudWatchLogs',
    sid: '*',
    reason: 'API Gateway (the service) pushes access logs with this role; the local API is a Node server, not API Gateway',
  },
  {
    role: 'reconciler-schedule',
    policy: 'invoke',
    sid: '*',
    reason: 'EventBridge Scheduler invokes the reconciler Lambda with this role; locally the reconciler runs as a loop',
  },
  {
    role: 'ci-infra',
    policy: 'deploy-infra',
    sid: '*',
    reason:
      "Terraform's apply as CI's deployer: locally the bootstrap stands for Terraform with admin credentials; the statements are checked by the simulator cases in test/infra/iam.test.ts",
  },
  {
    role: 'ci-infra-plan',
    policy: 'plan-infra',
    sid: '*',
    reason: "Terraform's plan as CI's plan role: no plan runs locally; checked by the simulator cases in test/infra/iam.test.ts",
  },
  {
    role: 'ci-publisher',
    policy: 'publish-runtime',
    sid: 'EcrLogin',
    reason: "CI's docker login before the image push; locally the tests and the demo push images with the admin credentials (CI's build step)",
  },
  {
    role: 'ci-publisher',
    policy: 'publish-runtime',
    sid: 'PushAndResolveImages',
    reason: "its push actions are CI's docker push (admin locally, as above); its reads are used by publish",
  },
  {
    role: 'ci-publisher',
    policy: 'publish-runtime',
    sid: 'AssumePromotionSourceRoles',
    reason: 'cross-account promotion: present only when promotionSourceRoleArns is set; the suite promotes across moto accounts with explicit credentials',
  },
];

/** The row that explains an unused grant of `role` (its full name) from `policy`/`statement`, if any. */
export function reasonFor(role: string, policy: string, statement: string): UnusedGrantReason | undefined {
  const suffix = role.replace(/^abca-[A-Za-z0-9_]+-/, '');
  return UNUSED_GRANT_REASONS.find((r) => r.role === suffix && r.policy === policy && (r.sid === '*' || r.sid === statement));
}
