/** Who a caller is: API key format and lookup, permissions from Cognito groups, the JWKS location. */
import { ApiKeyStore, newApiKey, parseApiKey, secretHash } from '../../src/auth/api-keys';
import { assertPermission } from '../../src/auth/authenticate';
import { jwksUriOnEndpoint, cognitoEndpointFromEnv } from '../../src/auth/cognito';
import { ForbiddenError, UnauthorizedError } from '../../src/auth/errors';
import { permissionsForGroups, type Principal } from '../../src/auth/principal';

describe('API keys', () => {
  it('formats bgak_<16 hex>_<64 hex>, parses only that, and hashes the secret', () => {
    // Act
    const k = newApiKey();
    // Assess
    expect(k.apiKey).toMatch(/^bgak_[a-f0-9]{16}_[a-f0-9]{64}$/);
    expect(parseApiKey(k.apiKey)).toEqual({ keyId: k.keyId, secret: k.secret });
    expect(parseApiKey(`${k.apiKey}x`)).toBeUndefined();
    expect(parseApiKey(k.apiKey.replace('bgak', 'bgAK'))).toBeUndefined();
    expect(secretHash(k.secret)).toMatch(/^[a-f0-9]{64}$/);
    expect(secretHash(k.secret)).not.toContain(k.secret);
  });

  it('refuses a malformed key before any lookup', async () => {
    // Prepare: a store over a client that must never be called
    const store = new ApiKeyStore(undefined as never, 'unused');
    // Act / Assess
    await expect(store.authenticate('bgak_short_x')).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('permissions', () => {
  const user = (groups: string[]): Principal => ({ kind: 'user', id: 'u', groups, permissions: permissionsForGroups(groups) });

  it('gives admins everything, operators read and task submission, others nothing', () => {
    expect([...permissionsForGroups(['admin'])].sort()).toEqual(['api-keys:manage', 'repos:read', 'repos:write', 'tasks:submit']);
    expect([...permissionsForGroups(['operator'])].sort()).toEqual(['repos:read', 'tasks:submit']);
    expect([...permissionsForGroups(['viewer'])]).toEqual([]);
    expect(() => assertPermission(user(['operator']), 'tasks:submit')).not.toThrow();
    expect(() => assertPermission(user(['operator']), 'repos:write')).toThrow(ForbiddenError);
  });
});

describe('Cognito JWKS location', () => {
  it('follows the SDK endpoint variables: service-specific first, then the general one', () => {
    expect(cognitoEndpointFromEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
    expect(cognitoEndpointFromEnv({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://b' })).toBe('http://b');
    expect(cognitoEndpointFromEnv({})).toBeUndefined();
    expect(jwksUriOnEndpoint('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json', 'http://127.0.0.1:5000/')).toBe(
      'http://127.0.0.1:5000/us-east-1_abc/.well-known/jwks.json',
    );
  });
});
