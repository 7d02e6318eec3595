/** A local admin user in the emulator's Cognito pool, for the CLI and the demo. */
import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { rethrowUnlessAwsError } from '../aws/errors';

export interface LocalUser {
  username: string;
  password: string;
}

/** Creates (or resets the password of) a user in the given group. Local only: passwords are throwaway. */
export async function ensureLocalUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  group: 'admin' | 'operator',
): Promise<LocalUser> {
  const password = `Local-${randomBytes(9).toString('base64url')}1a`;
  try {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
  } catch (e) {
    rethrowUnlessAwsError(e, 'UsernameExistsException');
  }
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }));
  await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
  return { username, password };
}
