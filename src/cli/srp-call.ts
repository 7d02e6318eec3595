/** The SRP flow's Cognito calls (src/auth/srp.ts) sent with the SDK: the CLI's side of sign-in. */
import { InitiateAuthCommand, RespondToAuthChallengeCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { InitiateAuthCommandInput, RespondToAuthChallengeCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoCall } from '../auth/srp';

export function sdkCognitoCall(cognito: CognitoIdentityProviderClient): CognitoCall {
  return async (operation, input) =>
    operation === 'InitiateAuth'
      ? cognito.send(new InitiateAuthCommand(input as unknown as InitiateAuthCommandInput))
      : cognito.send(new RespondToAuthChallengeCommand(input as unknown as RespondToAuthChallengeCommandInput));
}
