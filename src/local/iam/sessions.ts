/**
 * A component's own credentials in local mode: an AssumeRole of its role through the enforcement
 * point, so the proxy learns the session and judges every later request against that role. On AWS
 * the same credentials come from the Lambda's or container's environment (or CI's OIDC step).
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { stsClient } from '../../aws/clients';

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
  opts: { region?: string; credentials?: SessionCredentials | { accessKeyId: string; secretAccessKey: string } } = {},
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
