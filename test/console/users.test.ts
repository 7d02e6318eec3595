/**
 * /v1/users (the console's Users screen and `bgagent admin user`): admins only, participants in the
 * operator group with a temporary password that signs in once to choose their own (SRP, verified by
 * the local Cognito).
 */
import { srpSignIn } from '../../src/auth/srp';
import { temporaryPassword } from '../../src/auth/users';
import { sdkCognitoCall } from '../../src/cli/srp-call';
import { useApi } from '../api/support';

const h = useApi({ env: 'userstest' });

type Invited = { username: string; groups: string[]; status: string; temporary_password: string };

it('makes temporary passwords that meet Cognito’s default policy', () => {
  for (let i = 0; i < 20; i++) expect(temporaryPassword()).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{16,}$/);
});

it('lets an admin invite a participant into the operator group, with a temporary password that asks for a new one', async () => {
  const res = await h().call<Invited>('POST', '/v1/users', { token: h().adminToken, body: { username: 'ada' } });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ username: 'ada', groups: ['operator'], status: 'FORCE_CHANGE_PASSWORD' });
  const call = sdkCognitoCall(h().clients.cognito);
  const sign = (password: string, newPassword?: string) =>
    srpSignIn(call, { userPoolId: h().platform.userPoolId, clientId: h().platform.userPoolClientId, username: 'ada', password, newPassword });
  expect((await sign(res.body.temporary_password)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  expect((await sign(res.body.temporary_password, 'Ada-own-password-1')).AuthenticationResult?.AccessToken).toBeTruthy();
  const list = await h().call<{ items: { username: string; groups: string[]; status: string }[] }>('GET', '/v1/users', { token: h().adminToken });
  expect(list.body.items.find((u) => u.username === 'ada')).toMatchObject({ groups: ['operator'], status: 'CONFIRMED' });
});

it('refuses a taken name (409 USER_EXISTS) and a bad one (400)', async () => {
  const taken = await h().call<{ error: { code: string } }>('POST', '/v1/users', { token: h().adminToken, body: { username: 'oscar' } });
  expect(taken.status).toBe(409);
  expect(taken.body.error.code).toBe('USER_EXISTS');
  const bad = await h().call<{ error: { code: string } }>('POST', '/v1/users', { token: h().adminToken, body: { username: 'Not Valid!' } });
  expect(bad.status).toBe(400);
});

it('refuses operators (403) and callers without credentials (401)', async () => {
  expect((await h().call('GET', '/v1/users', { token: h().operatorToken })).status).toBe(403);
  expect((await h().call('POST', '/v1/users', { token: h().operatorToken, body: { username: 'eve' } })).status).toBe(403);
  expect((await h().call('GET', '/v1/users')).status).toBe(401);
});

it('resets a password to a new temporary one, and removes users but not oneself', async () => {
  await h().call('POST', '/v1/users', { token: h().adminToken, body: { username: 'bob' } });
  const reset = await h().call<{ temporary_password: string }>('POST', '/v1/users/bob/reset-password', { token: h().adminToken });
  expect(reset.status).toBe(200);
  expect(reset.body.temporary_password.length).toBeGreaterThanOrEqual(16);
  const self = await h().call<{ error: { code: string } }>('DELETE', '/v1/users/alice', { token: h().adminToken });
  expect(self.status).toBe(409);
  expect(self.body.error.code).toBe('CANNOT_REMOVE_SELF');
  expect((await h().call('DELETE', '/v1/users/bob', { token: h().adminToken })).status).toBe(200);
  const gone = await h().call<{ error: { code: string } }>('DELETE', '/v1/users/bob', { token: h().adminToken });
  expect(gone.status).toBe(404);
  expect(gone.body.error.code).toBe('USER_NOT_FOUND');
});
