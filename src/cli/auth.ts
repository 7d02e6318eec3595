/**
 * Who `bgagent` is to the API: an API key (`--api-key` or BGAGENT_API_KEY, sent as X-Api-Key), or
 * the Cognito session of `bgagent login` (USER_SRP_AUTH, src/auth/srp.ts: the password never leaves
 * this machine, and the app client needs no USER_PASSWORD_AUTH; the access token is refreshed with
 * REFRESH_TOKEN_AUTH when it has less than a minute left, and once more on a 401).
 */
import type { AuthenticationResultType, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { awsErrorName } from '../aws/errors';
import { srpSignIn, SrpError } from '../auth/srp';
import { AbcaError, ValidationError } from '../errors';
import { readCredentials, sessionState, writeCredentials, type ClientConfig, type Credentials } from './config';

export const API_KEY_ENV = 'BGAGENT_API_KEY';

export interface AuthHeaders {
  kind: 'api-key' | 'cognito';
  headers: () => Promise<Record<string, string>>;
  reauth?: () => Promise<Record<string, string> | undefined>;
}

/** Loaded on first use: commands that never sign in do not pay for the SDK at start-up. */
async function cognitoClient(region: string): Promise<CognitoIdentityProviderClient> {
  const clients = await import('../aws/clients');
  return clients.cognitoClient({ region, maxAttempts: 3 });
}

/** Pure: the session to store from a Cognito answer (a refresh answer has no new refresh token). */
export function credentialsFrom(
  result: AuthenticationResultType | undefined,
  base: { env: string; userPoolClientId: string; username: string; refreshToken?: string },
  now: number,
): Credentials {
  if (!result?.AccessToken) throw new AuthError('Cognito answered without tokens', 'AUTH_FAILED');
  return {
    env: base.env,
    userPoolClientId: base.userPoolClientId,
    username: base.username,
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken ?? base.refreshToken,
    expiresAt: new Date(now + (result.ExpiresIn ?? 3600) * 1000).toISOString(),
  };
}

/** Sign-in problems are the user's to fix (exit 2). */
export class AuthError extends ValidationError {}

function cognitoFailure(e: unknown, during: 'login' | 'refresh'): unknown {
  if (e instanceof AbcaError) return e;
  const name = awsErrorName(e) ?? '';
  if (during === 'refresh' && name === 'NotAuthorizedException') {
    return new AuthError('your session has expired; run "bgagent login" again', 'SESSION_EXPIRED');
  }
  if (name === 'NotAuthorizedException' || name === 'UserNotFoundException') return new AuthError('incorrect username or password', 'AUTH_FAILED');
  if (name === 'PasswordResetRequiredException') return new AuthError('Cognito requires a password reset for this user', 'PASSWORD_RESET_REQUIRED');
  if (name === 'UserNotConfirmedException') return new AuthError('this user is not confirmed yet', 'USER_NOT_CONFIRMED');
  if (name === 'InvalidParameterException' && /USER_SRP_AUTH/.test((e as Error).message)) {
    return new AuthError('the Cognito app client does not allow USER_SRP_AUTH', 'AUTH_FLOW_DISABLED');
  }
  if (name === 'InvalidPasswordException') return new AuthError(`the new password is refused: ${(e as Error).message}`, 'AUTH_NEW_PASSWORD_REFUSED');
  if (e instanceof SrpError) return new AuthError(e.message, 'AUTH_FAILED');
  return e;
}

/**
 * Signs in with SRP. A user on a temporary password gets NEW_PASSWORD_REQUIRED: with `newPassword`
 * it is set and the session starts; without, AUTH_CHALLENGE says how to set one.
 */
export async function login(config: ClientConfig, username: string, password: string, now = Date.now, newPassword?: string): Promise<Credentials> {
  const { sdkCognitoCall } = await import('./srp-call');
  const cognito = await cognitoClient(config.region);
  try {
    const out = await srpSignIn(sdkCognitoCall(cognito), { userPoolId: config.userPoolId, clientId: config.userPoolClientId, username, password, newPassword });
    if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
      throw new AuthError(
        'this user signs in for the first time with a temporary password: run "bgagent login" again with --new-password-stdin (or on a terminal)',
        'AUTH_CHALLENGE',
      );
    }
    if (out.ChallengeName) {
      throw new AuthError(
        `Cognito asks for ${out.ChallengeName} before this user can sign in; sign in on the console (/console) to complete it`,
        'AUTH_CHALLENGE',
      );
    }
    return credentialsFrom(out.AuthenticationResult, { env: config.env, userPoolClientId: config.userPoolClientId, username }, now());
  } catch (e) {
    throw cognitoFailure(e, 'login');
  } finally {
    cognito.destroy();
  }
}

export async function refresh(config: ClientConfig, creds: Credentials, now = Date.now): Promise<Credentials> {
  if (!creds.refreshToken) throw new AuthError('your session has expired; run "bgagent login" again', 'SESSION_EXPIRED');
  const { InitiateAuthCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const cognito = await cognitoClient(config.region);
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: config.userPoolClientId, AuthParameters: { REFRESH_TOKEN: creds.refreshToken } }),
    );
    return credentialsFrom(out.AuthenticationResult, creds, now());
  } catch (e) {
    throw cognitoFailure(e, 'refresh');
  } finally {
    cognito.destroy();
  }
}

/**
 * Revokes the session's refresh token (Cognito RevokeToken), so a copy of the credentials file
 * cannot mint access tokens for the rest of its 30 days. Access tokens already issued stay valid
 * until they expire (an hour at most): Cognito cannot recall them.
 */
export async function revokeSession(config: Pick<ClientConfig, 'region'>, creds: Credentials): Promise<boolean> {
  if (!creds.refreshToken) return false;
  const { RevokeTokenCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const cognito = await cognitoClient(config.region);
  try {
    await cognito.send(new RevokeTokenCommand({ Token: creds.refreshToken, ClientId: creds.userPoolClientId }));
    return true;
  } finally {
    cognito.destroy();
  }
}

/** Pure: the claims of a JWT (no verification: the API verifies; this is for display). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** API key first (flag, then environment), else the stored Cognito session. */
export function resolveAuth(opts: { apiKey?: string; config?: ClientConfig; configDir?: string; env?: NodeJS.ProcessEnv }): AuthHeaders {
  const env = opts.env ?? process.env;
  const key = opts.apiKey ?? env[API_KEY_ENV];
  if (key) {
    return { kind: 'api-key', headers: async () => ({ 'x-api-key': key }) };
  }
  const config = opts.config;
  if (!config) throw new ValidationError('not configured: run "bgagent configure --env <env>", then "bgagent login" (or use --api-key)', 'NOT_CONFIGURED');
  let creds = readCredentials(opts.configDir);
  const state = sessionState(creds, config, Date.now());
  if (state === 'none') throw new AuthError('not signed in: run "bgagent login" (or use --api-key / BGAGENT_API_KEY)', 'NOT_LOGGED_IN');
  if (state === 'other-env') throw new AuthError(`the stored session is for another environment than "${config.env}": run "bgagent login"`, 'NOT_LOGGED_IN');
  let refreshed = false;
  const doRefresh = async () => {
    creds = await refresh(config, creds!);
    writeCredentials(creds, opts.configDir);
    refreshed = true;
  };
  const bearer = () => ({ authorization: `Bearer ${creds!.accessToken}` });
  return {
    kind: 'cognito',
    headers: async () => {
      if (sessionState(creds, config, Date.now()) === 'refresh') await doRefresh();
      return bearer();
    },
    reauth: async () => {
      if (refreshed || !creds?.refreshToken) return undefined;
      await doRefresh();
      return bearer();
    },
  };
}
