/** The client configuration and the stored session, as values: freshness, refresh answers, JWT claims. */
import { parseClientConfig, sessionState, type Credentials } from '../../src/cli/config';
import { credentialsFrom, jwtClaims } from '../../src/cli/auth';

describe('client config and session', () => {
  const creds = (over: Partial<Credentials> = {}): Credentials => ({
    env: 'dev',
    userPoolClientId: 'c1',
    username: 'u',
    accessToken: 'a',
    refreshToken: 'r',
    expiresAt: new Date(1_000_000).toISOString(),
    ...over,
  });

  it('session: fresh until a minute before expiry, then refresh; another pool is another env', () => {
    // Act / Assess
    const config = { env: 'dev', userPoolClientId: 'c1' };
    expect(sessionState(undefined, config, 0)).toBe('none');
    expect(sessionState(creds(), config, 1_000_000 - 61_000)).toBe('fresh');
    expect(sessionState(creds(), config, 1_000_000 - 59_000)).toBe('refresh');
    expect(sessionState(creds({ userPoolClientId: 'other' }), config, 0)).toBe('other-env');
    expect(sessionState(creds({ expiresAt: 'garbage' }), config, 0)).toBe('refresh');
  });

  it('a refresh answer keeps the old refresh token and moves the expiry', () => {
    // Act
    const next = credentialsFrom({ AccessToken: 'a2', IdToken: 'i2', ExpiresIn: 3600 }, creds(), 5_000);
    // Assess
    expect(next).toEqual({ ...creds(), accessToken: 'a2', idToken: 'i2', refreshToken: 'r', expiresAt: new Date(5_000 + 3_600_000).toISOString() });
  });

  it('a config document missing fields names them', () => {
    // Act / Assess
    expect(() => parseClientConfig({ env: 'dev', region: 'r' }, 'config.json')).toThrow('config.json is missing apiUrl, userPoolId, userPoolClientId');
  });

  it('reads JWT claims without verifying', () => {
    // Prepare
    const token = ['x', Buffer.from(JSON.stringify({ username: 'u', 'cognito:groups': ['admin'] })).toString('base64url'), 'sig'].join('.');
    // Act / Assess
    expect(jwtClaims(token)).toEqual({ username: 'u', 'cognito:groups': ['admin'] });
    expect(jwtClaims('not-a-jwt')).toEqual({});
  });
});
