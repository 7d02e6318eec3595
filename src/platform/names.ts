/**
 * Every name in an environment derives from the env name alone, here, so the cdktf stack,
 * the local bootstrap, the scripts and the IAM policies cannot disagree.
 */
import { ValidationError } from '../errors';

const ENV_PATTERN = /^[a-z][a-z0-9-]{0,14}[a-z0-9]$|^[a-z]$/;

export function assertEnvName(env: string): string {
  if (!ENV_PATTERN.test(env)) {
    throw new ValidationError(
      `invalid environment name "${env}": use 1-16 lowercase letters, digits or hyphens, starting with a letter`,
      'INVALID_ENV',
    );
  }
  return env;
}

export interface PlatformNames {
  env: string;
  prefix: string;
  tables: { repos: string; tasks: string; audit: string; apiKeys: string; locks: string };
  parameters: { imagePointer: string; platform: string; guardrails: string; promotionPolicy: string };
  ecrRepository: string;
  /** AgentCore runtime names allow letters, digits and underscores only. */
  agentRuntime: string;
  secretPrefix: string;
  userPool: string;
  userPoolClient: string;
  roles: {
    runtimeExecution: string;
    infraDeployer: string;
    runtimePublisher: string;
    imagePointerFn: string;
    apiFn: string;
    provisionerFn: string;
    /** Account-wide API Gateway CloudWatch role (only where the stack manages that setting). */
    apiGatewayLogs: string;
  };
  functions: { api: string; imagePointer: string; provisioner: string };
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
    },
    ecrRepository: `${prefix}-agent`,
    agentRuntime: `abca_${env.replace(/-/g, '_')}_agent`,
    secretPrefix: `abca/${env}/`,
    userPool: `${prefix}-users`,
    userPoolClient: `${prefix}-cli`,
    roles: {
      runtimeExecution: `${prefix}-runtime-exec`,
      infraDeployer: `${prefix}-ci-infra`,
      runtimePublisher: `${prefix}-ci-publisher`,
      imagePointerFn: `${prefix}-image-pointer-fn`,
      apiFn: `${prefix}-api-fn`,
      provisionerFn: `${prefix}-provisioner-fn`,
      apiGatewayLogs: `${prefix}-apigw-logs`,
    },
    functions: { api: `${prefix}-api`, imagePointer: `${prefix}-image-pointer`, provisioner: `${prefix}-provisioner` },
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
