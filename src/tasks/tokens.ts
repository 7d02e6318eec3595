/**
 * The repository's GitHub token for the task it starts, read from that repository's own secret at
 * start and handed to the agent in the invocation (`input.github_token`, the delivery upstream's
 * image accepts unchanged; docs/infra.md, GitHub tokens). The token lives only in this call and the
 * payload: it is never stored, logged, or put in an error (errors name the field, not the value
 * or the ARN).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsErrorName } from '../aws/errors';

export type TokenReader = (secretArn: string) => Promise<string>;

/** Why a token could not be read, fit for a task's status_reason. */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';
}

export function secretsTokenReader(secrets: SecretsManagerClient): TokenReader {
  return async (secretArn) => {
    let value: string | undefined;
    try {
      value = (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (e) {
      // The AWS message can quote the ARN; the error name is enough to act on.
      throw new TokenUnavailableError(`the repository's GitHub token (github_token_secret_arn) could not be read: ${awsErrorName(e) ?? 'Error'}`);
    }
    if (!value) throw new TokenUnavailableError("the repository's GitHub token (github_token_secret_arn) has no string value");
    return value;
  };
}
