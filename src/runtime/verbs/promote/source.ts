/**
 * Where the source of a promotion lives when it is not this account and region: its region, the
 * credentials that read it (a named profile, or a role to assume from the caller's own
 * credentials), and the registry (account) of its ECR repository. Every read of the source (its
 * platform document, audit, runtime and image) goes through clients built with these.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { createClients, stsClient, type AwsClients, type Credentials } from '../../../aws/clients';
import { ValidationError } from '../../../errors';

export interface SourceAccess {
  region?: string;
  profile?: string;
  /** A role in the source account the caller assumes (its trust policy names the caller). */
  roleArn?: string;
  /** The source repository's registry (account id); default: the account in its repository URL. */
  registryId?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Pure: checks the flags' values; refuses a profile and a role together (which credentials would assume it is ambiguous). */
export function checkSourceAccess(access: SourceAccess): SourceAccess {
  if (access.roleArn !== undefined && !ROLE_ARN.test(access.roleArn))
    throw new ValidationError(`--source-role-arn must be an IAM role ARN, got "${access.roleArn}"`, 'VALIDATION_ERROR');
  if (access.registryId !== undefined && !/^\d{12}$/.test(access.registryId))
    throw new ValidationError(`--source-registry-id must be a 12-digit account id, got "${access.registryId}"`, 'VALIDATION_ERROR');
  if (access.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(access.region))
    throw new ValidationError(`--source-region must be an AWS region, got "${access.region}"`, 'VALIDATION_ERROR');
  if (access.profile && access.roleArn) throw new ValidationError('give --source-profile or --source-role-arn, not both', 'VALIDATION_ERROR');
  return access;
}

/** Pure: whether the source needs clients of its own (else the caller's serve both sides). */
export function isRemoteSource(access: SourceAccess): boolean {
  return !!(access.region || access.profile || access.roleArn);
}

/** Pure: the account of an ECR repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
export function registryOf(repositoryUrl: string | undefined): string | undefined {
  return /^(\d{12})\.dkr\.ecr\./.exec(repositoryUrl ?? '')?.[1];
}

/** Credentials of the role, assumed with the caller's own credentials, renewed before they expire. */
export function assumedRole(roleArn: string, sessionName: string, region?: string): Credentials {
  const sts = stsClient({ region });
  let cached: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  return async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 5 * 60_000)) return cached;
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
    const c = out.Credentials!;
    cached = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

/** The clients that read the source environment. */
export function sourceClients(access: SourceAccess, sessionName = 'abca-promote'): AwsClients {
  return createClients({
    region: access.region,
    profile: access.profile,
    credentials: access.roleArn ? assumedRole(access.roleArn, sessionName, access.region) : undefined,
  });
}
