/**
 * Cognito SRP: the client (src/auth/srp.ts) against the local Cognito, which verifies the proof
 * (src/local/emulator/cognito_srp.py): the right password signs in, a wrong one is refused as
 * Cognito refuses it, a challenge answers once, and first sign-in sets the new password.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  RevokeTokenCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { cognitoClient } from '../../src/aws/clients';
import { awsErrorName } from '../../src/aws/errors';
import { cognitoTimestamp, padHex, passwordVerifier, srpSignIn, srpStart } from '../../src/auth/srp';
import { sdkCognitoCall } from '../../src/cli/srp-call';
import { useMoto } from '../support/moto';

useMoto();

let cognito: CognitoIdentityProviderClient;
let poolId: string;
let clientId: string;

beforeAll(async () => {
  cognito = cognitoClient({ maxAttempts: 1 });
  poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'srp-test' }))).UserPool!.Id!;
  clientId = (
    await cognito.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    )
  ).UserPoolClient!.ClientId!;
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ada', MessageAction: 'SUPPRESS' }));
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ada', Password: 'Correct-horse-1', Permanent: true }));
});
afterAll(() => cognito.destroy());

test('padHex keeps numbers positive and byte-aligned', () => {
  expect(padHex(0xfn)).toBe('0f');
  expect(padHex(0x7fn)).toBe('7f');
  expect(padHex(0x80n)).toBe('0080');
  expect(padHex(0x1234n)).toBe('1234');
});

test("the timestamp is Cognito's: day of month unpadded, UTC", () => {
  expect(cognitoTimestamp(new Date('2026-12-03T09:05:07Z'))).toBe('Thu Dec 3 09:05:07 UTC 2026');
  expect(cognitoTimestamp(new Date('2026-01-31T23:59:59Z'))).toBe('Sat Jan 31 23:59:59 UTC 2026');
});

test('the right password signs in with tokens', async () => {
  const out = await srpSignIn(sdkCognitoCall(cognito), { userPoolId: poolId, clientId, username: 'ada', password: 'Correct-horse-1' });
  expect(out.ChallengeName).toBeUndefined();
  expect(out.AuthenticationResult?.AccessToken).toMatch(/^ey/);
  expect(out.AuthenticationResult?.RefreshToken).toBeTruthy();
});

test('a wrong password is refused with NotAuthorizedException', async () => {
  const e = await srpSignIn(sdkCognitoCall(cognito), { userPoolId: poolId, clientId, username: 'ada', password: 'Correct-horse-2' }).catch((x: unknown) => x);
  expect(awsErrorName(e)).toBe('NotAuthorizedException');
  expect((e as Error).message).toBe('Incorrect username or password.');
});

test('a challenge is answered once: replaying a correct answer is refused', async () => {
  const call = sdkCognitoCall(cognito);
  const start = srpStart();
  const first = await call('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'ada', SRP_A: start.A } });
  expect(first.ChallengeParameters?.USER_ID_FOR_SRP).toBe('ada');
  const responses = await passwordVerifier({ userPoolId: poolId, password: 'Correct-horse-1', start, challenge: first.ChallengeParameters! });
  const answer = { ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER', Session: first.Session, ChallengeResponses: responses };
  expect((await call('RespondToAuthChallenge', answer)).AuthenticationResult?.AccessToken).toBeTruthy();
  expect(awsErrorName(await call('RespondToAuthChallenge', answer).catch((x: unknown) => x))).toBe('NotAuthorizedException');
});

test('a signature made for another timestamp is refused', async () => {
  const call = sdkCognitoCall(cognito);
  const start = srpStart();
  const first = await call('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'ada', SRP_A: start.A } });
  const responses = await passwordVerifier({ userPoolId: poolId, password: 'Correct-horse-1', start, challenge: first.ChallengeParameters! });
  const forged = { ...responses, TIMESTAMP: cognitoTimestamp(new Date(Date.now() + 3_600_000)) };
  const e = await call('RespondToAuthChallenge', {
    ClientId: clientId,
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: first.Session,
    ChallengeResponses: forged,
  }).catch((x: unknown) => x);
  expect(awsErrorName(e)).toBe('NotAuthorizedException');
});

test('first sign-in with a temporary password: NEW_PASSWORD_REQUIRED, then the new password signs in', async () => {
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', TemporaryPassword: 'Temp-pass-123', MessageAction: 'SUPPRESS' }));
  const call = sdkCognitoCall(cognito);
  const asked = await srpSignIn(call, { userPoolId: poolId, clientId, username: 'bob', password: 'Temp-pass-123' });
  expect(asked.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  const wrongTemp = await srpSignIn(call, { userPoolId: poolId, clientId, username: 'bob', password: 'Temp-pass-124', newPassword: 'Brand-new-pass-1' }).catch(
    (x: unknown) => x,
  );
  expect(awsErrorName(wrongTemp)).toBe('NotAuthorizedException');
  const set = await srpSignIn(call, { userPoolId: poolId, clientId, username: 'bob', password: 'Temp-pass-123', newPassword: 'Brand-new-pass-1' });
  expect(set.AuthenticationResult?.AccessToken).toBeTruthy();
  const again = await srpSignIn(call, { userPoolId: poolId, clientId, username: 'bob', password: 'Brand-new-pass-1' });
  expect(again.AuthenticationResult?.AccessToken).toBeTruthy();
});

test('sign-out: RevokeToken stops the refresh token from minting tokens', async () => {
  const call = sdkCognitoCall(cognito);
  const out = await srpSignIn(call, { userPoolId: poolId, clientId, username: 'ada', password: 'Correct-horse-1' });
  const refreshToken = out.AuthenticationResult!.RefreshToken!;
  const refresh = () => call('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: refreshToken } });
  expect((await refresh()).AuthenticationResult?.AccessToken).toBeTruthy();
  await cognito.send(new RevokeTokenCommand({ Token: refreshToken, ClientId: clientId }));
  expect(awsErrorName(await refresh().catch((x: unknown) => x))).toBe('NotAuthorizedException');
});
