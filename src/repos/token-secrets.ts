/**
 * GitHub tokens in Secrets Manager, under the platform's secret prefix. The control plane writes a
 * token and checks that a secret exists; it never reads a token back.
 */
import { CreateSecretCommand, DescribeSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { isAwsError, rethrowUnlessAwsError } from '../aws/errors';

/** `PUT …/github-token` body. The refinements' messages never include the value. */
export const GithubTokenBodySchema = z
  .object({
    token: z
      .string({ message: 'token must be a string' })
      .min(20, { message: 'token is too short to be a GitHub token' })
      .max(1024, { message: 'token is too long' })
      .refine((t) => /^[\x21-\x7e]+$/.test(t), { message: 'token must be printable ASCII without spaces' }),
  })
  .strict();

export { tokenSecretName } from './repo-config';

/** Stores the token (creating the secret the first time) and returns the secret's ARN. */
export async function storeGithubToken(secrets: SecretsManagerClient, name: string, token: string, description: string): Promise<string> {
  try {
    const out = await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: token }));
    return out.ARN!;
  } catch (e) {
    rethrowUnlessAwsError(e, 'ResourceNotFoundException');
  }
  try {
    const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: token, Description: description }));
    return created.ARN!;
  } catch (e) {
    // Created by a concurrent request in between: write our value over it.
    rethrowUnlessAwsError(e, 'ResourceExistsException');
    const out = await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: token }));
    return out.ARN!;
  }
}

export type SecretCheck = { ok: true } | { ok: false; reason: string };

/** Whether the secret exists and is not scheduled for deletion (metadata only). */
export async function checkSecret(secrets: SecretsManagerClient, arn: string): Promise<SecretCheck> {
  try {
    const out = await secrets.send(new DescribeSecretCommand({ SecretId: arn }));
    // Reasons end up in status_reason, which readers see: name the field, not the ARN.
    if (out.DeletedDate) return { ok: false, reason: 'the token secret (github_token_secret_arn) is scheduled for deletion' };
    return { ok: true };
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) return { ok: false, reason: 'the token secret (github_token_secret_arn) does not exist' };
    if (isAwsError(e, 'AccessDeniedException'))
      return { ok: false, reason: 'the token secret (github_token_secret_arn) cannot be described by the platform (access denied)' };
    throw e;
  }
}
