/**
 * A component's own credentials in local mode: an AssumeRole of its role through the enforcement
 * point, so the proxy learns the session and judges every later request against that role. On AWS
 * the same credentials come from the Lambda's or container's environment (or CI's OIDC step).
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { stsClient } from '../../aws/clients';
import { platformNames, type PlatformNames } from '../../platform/names';
import { ACCOUNT } from './synthesized';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * Assumes `roleArn` through `endpoint` (the IAM proxy) with the caller's credentials (the
 * bootstrap/admin ones unless given).
 */
export async function assumeRoleSession(
  endpoint: string,
  roleArn: string,
  sessionName: string,
  opts: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } } = {},
): Promise<SessionCredentials> {
  const sts = stsClient({ endpoint, ...(opts.region ? { region: opts.region } : {}), ...(opts.credentials ? { credentials: opts.credentials } : {}) });
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`AssumeRole of ${roleArn} answered no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/** The standard credential chain's variables for a child process (what configure-aws-credentials sets in CI). */
export function credentialEnv(c: SessionCredentials): Record<'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_SESSION_TOKEN', string> {
  return { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken };
}

/**
 * Which of the stack's roles each local component acts as (platformNames(env).roles): what
 * Lambda, AgentCore or CI would give it on AWS.
 */
export const COMPONENT_ROLES = {
  api: 'apiFn',
  provisioner: 'provisionerFn',
  reconciler: 'reconcilerFn',
  imagePointer: 'imagePointerFn',
  agent: 'runtimeExecution',
  publisher: 'runtimePublisher',
} as const satisfies Record<string, keyof PlatformNames['roles']>;
export type Component = keyof typeof COMPONENT_ROLES;

export function componentRoleArn(env: string, component: Component, account = ACCOUNT): string {
  return `arn:aws:iam::${account}:role/${platformNames(env).roles[COMPONENT_ROLES[component]]}`;
}

/** A component's session of its role in `env`, assumed through the enforcement point at `endpoint`. */
export function componentSession(
  endpoint: string,
  env: string,
  component: Component,
  opts: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; account?: string } = {},
): Promise<SessionCredentials> {
  const { account, ...rest } = opts;
  return assumeRoleSession(endpoint, componentRoleArn(env, component, account), `abca-local-${component}`, rest);
}
