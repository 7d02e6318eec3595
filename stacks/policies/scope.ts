/**
 * What scopes an environment's IAM policies: its ARNs, the `abca:env` tag for services with
 * generated ids, the services its roles are handed to, and the GitHub OIDC provider the CI roles trust.
 */
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import { AGENTCORE_SERVICE } from '../constructs/application';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The services whose resources get generated ids: scoped by the `abca:env` tag instead of by name. */
export const TAG_SCOPED_SERVICES = ['ec2', 'apigateway', 'wafv2', 'cognito-idp', 'route53resolver', 'bedrock-agentcore'] as const;
/** The tag the provider's default_tags put on every resource of the environment. */
export const ENV_TAG = 'abca:env';
/** Services the stack's roles are handed to (iam:PassRole). */
export const PASS_ROLE_SERVICES = ['lambda.amazonaws.com', AGENTCORE_SERVICE, 'apigateway.amazonaws.com'] as const;

export interface Arns {
  arn: (service: string, resource: string, region?: string) => string;
  iam: (resource: string) => string;
}
export function arns(aws: AwsEnv): Arns {
  return {
    arn: (service, resource, region = aws.region) => `arn:${aws.partition}:${service}:${region}:${aws.accountId}:${resource}`,
    iam: (resource) => `arn:${aws.partition}:iam::${aws.accountId}:${resource}`,
  };
}

/** ARN of the permissions boundary (built from the name, so policies need not wait for it). */
export function boundaryArn(names: PlatformNames, aws: AwsEnv): string {
  return arns(aws).iam(`policy/${names.permissionsBoundary}`);
}

/** Runtime names are `abca_<env>_agent`: letters, digits, underscores (env names have no `-`). */
export function agentRuntimePrefix(names: PlatformNames): string {
  return `abca_${names.env}_`;
}
