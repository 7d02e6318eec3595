/**
 * Every name in an environment derives from the env name alone, here, so the cdktf stack,
 * the local bootstrap, the scripts and the IAM policies cannot disagree.
 */
import { ValidationError } from '../errors';

/**
 * Letters and digits only: names are built as `abca-<env>-…` and policies match `abca-<env>-*`, so
 * a "-" in an environment name would let one environment's patterns cover another's (`dev`'s
 * `abca-dev-*` matches every name of a `dev-eu`).
 */
const ENV_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

export function assertEnvName(env: string): string {
  if (!ENV_PATTERN.test(env)) {
    const shown = env.length > 40 ? `${env.slice(0, 40)}…` : env;
    const why = env.includes('-') ? ' ("-" is not allowed: abca-<env>-* patterns would then cover another environment\'s names)' : '';
    throw new ValidationError(`invalid environment name "${shown}": use 1-16 lowercase letters or digits, starting with a letter${why}`, 'INVALID_ENV');
  }
  return env;
}

export interface PlatformNames {
  env: string;
  prefix: string;
  tables: { repos: string; tasks: string; audit: string; apiKeys: string; locks: string };
  parameters: { imagePointer: string; platform: string; guardrails: string; promotionPolicy: string; releasePolicy: string };
  ecrRepository: string;
  /** AgentCore runtime names allow letters, digits and underscores only. */
  agentRuntime: string;
  secretPrefix: string;
  userPool: string;
  userPoolClient: string;
  roles: {
    runtimeExecution: string;
    /** The per-task session role the agent assumes (tagged with its task_id): its own task row only. */
    agentSession: string;
    infraDeployer: string;
    /** Read-only role of the `<env>-infra-plan` job (cdktf diff runs unreviewed code). */
    infraPlan: string;
    runtimePublisher: string;
    imagePointerFn: string;
    apiFn: string;
    provisionerFn: string;
    reconcilerFn: string;
    /** EventBridge Scheduler invokes the reconciler with this role. */
    reconcilerScheduler: string;
    /** Account-wide API Gateway CloudWatch role (only where the stack manages that setting). */
    apiGatewayLogs: string;
  };
  functions: { api: string; imagePointer: string; provisioner: string; reconciler: string };
  /** Managed policy every role the stack creates (but the CI roles) carries as its permissions boundary. */
  permissionsBoundary: string;
  /** blockAllList holds "*": the deny-by-default rule after the two allow lists. */
  dnsFirewall: { baselineList: string; onboardedList: string; ruleGroup: string; blockAllList: string };
  network: { vpc: string; runtimeSecurityGroup: string; endpointSecurityGroup: string };
  /** GitHub environments the CI roles trust (OIDC subject `repo:<owner>/<repo>:environment:<name>`). */
  githubEnvironments: { infraPlan: string; infra: string; runtime: string };
  logGroups: { apiAccess: string };
  api: string;
  webAcl: string;
}

export function platformNames(envInput: string): PlatformNames {
  const env = assertEnvName(envInput);
  const prefix = `abca-${env}`;
  return {
    env,
    prefix,
    tables: {
      repos: `${prefix}-repos`,
      tasks: `${prefix}-tasks`,
      audit: `${prefix}-audit`,
      apiKeys: `${prefix}-api-keys`,
      locks: `${prefix}-locks`,
    },
    parameters: {
      imagePointer: `/abca/${env}/runtime/image-digest`,
      platform: `/abca/${env}/platform`,
      guardrails: `/abca/${env}/guardrails`,
      promotionPolicy: `/abca/${env}/promotion-policy`,
      releasePolicy: `/abca/${env}/release-policy`,
    },
    ecrRepository: `${prefix}-agent`,
    agentRuntime: `abca_${env}_agent`,
    secretPrefix: `abca/${env}/`,
    userPool: `${prefix}-users`,
    userPoolClient: `${prefix}-cli`,
    roles: {
      runtimeExecution: `${prefix}-runtime-exec`,
      agentSession: `${prefix}-agent-session`,
      infraDeployer: `${prefix}-ci-infra`,
      infraPlan: `${prefix}-ci-infra-plan`,
      runtimePublisher: `${prefix}-ci-publisher`,
      imagePointerFn: `${prefix}-image-pointer-fn`,
      apiFn: `${prefix}-api-fn`,
      provisionerFn: `${prefix}-provisioner-fn`,
      reconcilerFn: `${prefix}-reconciler-fn`,
      reconcilerScheduler: `${prefix}-reconciler-schedule`,
      apiGatewayLogs: `${prefix}-apigw-logs`,
    },
    functions: { api: `${prefix}-api`, imagePointer: `${prefix}-image-pointer`, provisioner: `${prefix}-provisioner`, reconciler: `${prefix}-reconciler` },
    permissionsBoundary: `${prefix}-boundary`,
    dnsFirewall: {
      baselineList: `${prefix}-baseline`,
      onboardedList: `${prefix}-onboarded`,
      ruleGroup: `${prefix}-egress`,
      blockAllList: `${prefix}-block-all`,
    },
    network: { vpc: `${prefix}-vpc`, runtimeSecurityGroup: `${prefix}-runtime`, endpointSecurityGroup: `${prefix}-endpoints` },
    githubEnvironments: { infraPlan: `${env}-infra-plan`, infra: `${env}-infra`, runtime: `${env}-runtime` },
    logGroups: { apiAccess: `/aws/apigateway/${prefix}-api` },
    api: `${prefix}-api`,
    webAcl: `${prefix}-waf`,
  };
}

/** `--env` flag, else ABCA_ENV, else dev. */
export function resolveEnv(flag?: string): string {
  return assertEnvName(flag ?? process.env.ABCA_ENV ?? 'dev');
}
