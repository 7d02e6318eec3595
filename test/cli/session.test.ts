/** The stored Cognito session against moto's Cognito: refreshed before expiry, 0600 on disk. */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { createClients } from '../../src/aws/clients';
import { login, resolveAuth } from '../../src/cli/auth';
import { writeConfig, writeCredentials, type ClientConfig } from '../../src/cli/config';
import { ensureLocalUser } from '../../src/local/admin-user';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { useMoto } from '../support/moto';
import { tempConfigDir } from './support';

describe('bgagent session (moto Cognito)', () => {
  useMoto();
  const clients = createClients();
  let config: ClientConfig;
  let password: string;

  beforeAll(async () => {
    const { platform } = await bootstrapLocal({ env: 'clisess', clients });
    ({ password } = await ensureLocalUser(clients.cognito, platform.userPoolId, 'op', 'operator'));
    config = { env: 'clisess', region: platform.region, apiUrl: platform.apiUrl, userPoolId: platform.userPoolId, userPoolClientId: platform.userPoolClientId };
  });

  it('an access token within a minute of expiry is refreshed before the request and written back 0600', async () => {
    // Prepare
    const dir = tempConfigDir();
    writeConfig(config, dir);
    const first = await login(config, 'op', password);
    writeCredentials({ ...first, expiresAt: new Date(Date.now() + 30_000).toISOString() }, dir);
    // Act
    const headers = await resolveAuth({ config, configDir: dir, env: {} }).headers();
    // Assess
    const stored = JSON.parse(readFileSync(path.join(dir, 'credentials.json'), 'utf8'));
    expect(headers).toEqual({ authorization: `Bearer ${stored.accessToken}` });
    expect(Date.parse(stored.expiresAt)).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(stored.refreshToken).toBe(first.refreshToken);
    expect(statSync(path.join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('a fresh token is used as is, without a Cognito call', async () => {
    // Prepare
    const dir = tempConfigDir();
    const creds = { ...(await login(config, 'op', password)), accessToken: 'still-fresh-token' };
    writeCredentials(creds, dir);
    // Act
    const headers = await resolveAuth({ config, configDir: dir, env: {} }).headers();
    // Assess
    expect(headers).toEqual({ authorization: 'Bearer still-fresh-token' });
  });

  it('a refresh Cognito refuses is SESSION_EXPIRED (exit 2), asking for login', async () => {
    // Prepare
    const dir = tempConfigDir();
    const creds = await login(config, 'op', password);
    writeCredentials({ ...creds, refreshToken: 'revoked-or-garbage', expiresAt: new Date(0).toISOString() }, dir);
    // Act
    const attempt = resolveAuth({ config, configDir: dir, env: {} }).headers();
    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'SESSION_EXPIRED', exitCode: 2 });
  });

  it('an API key wins over the session: flag first, then BGAGENT_API_KEY', async () => {
    // Act
    const fromFlag = await resolveAuth({ apiKey: 'bgak_a_b', config, configDir: tempConfigDir(), env: { BGAGENT_API_KEY: 'bgak_c_d' } }).headers();
    const fromEnv = await resolveAuth({ config, configDir: tempConfigDir(), env: { BGAGENT_API_KEY: 'bgak_c_d' } }).headers();
    // Assess
    expect(fromFlag).toEqual({ 'x-api-key': 'bgak_a_b' });
    expect(fromEnv).toEqual({ 'x-api-key': 'bgak_c_d' });
    expect(() => resolveAuth({ config, configDir: tempConfigDir(), env: {} })).toThrow(expect.objectContaining({ code: 'NOT_LOGGED_IN', exitCode: 2 }));
  });
});
