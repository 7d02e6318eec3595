/**
 * Auth: the Cognito user pool (administrators create users; no self sign-up), the `admin` and
 * `operator` groups, and the CLI's app client (password and SRP flows, no secret: a CLI cannot keep
 * one). Same shape as the local bootstrap's pool.
 */
import { Construct } from 'constructs';
import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import type { PlatformNames } from '../../src/platform/names';

export const USER_GROUPS = {
  admin: 'Onboard, change and remove repositories; manage API keys',
  operator: 'Read repositories and submit tasks',
} as const;

export interface AuthProps {
  names: PlatformNames;
  deletionProtection: boolean;
}

export class Auth extends Construct {
  readonly userPool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { names } = props;
    this.userPool = new CognitoUserPool(this, 'pool', {
      name: names.userPool,
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: false,
        temporaryPasswordValidityDays: 3,
      },
      mfaConfiguration: 'OPTIONAL',
      softwareTokenMfaConfiguration: { enabled: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: 'admin_only', priority: 1 }] },
      deletionProtection: props.deletionProtection ? 'ACTIVE' : 'INACTIVE',
    });
    for (const [name, description] of Object.entries(USER_GROUPS)) {
      new CognitoUserGroup(this, `group-${name}`, { userPoolId: this.userPool.id, name, description });
    }
    this.client = new CognitoUserPoolClient(this, 'cli-client', {
      name: names.userPoolClient,
      userPoolId: this.userPool.id,
      generateSecret: false,
      // SRP only (the CLI and the console): the password never travels, even to Cognito.
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: 60,
      idTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
    });
  }
}
