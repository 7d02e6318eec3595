/** The pure parts of the config layer: rows, ETags, key format, the JWKS location, error mapping. */
import { ApiKeyStore, newApiKey, parseApiKey, secretHash } from '../../src/auth/api-keys';
import { jwksUriOnEndpoint, cognitoEndpointFromEnv } from '../../src/auth/cognito';
import { ForbiddenError, UnauthorizedError } from '../../src/auth/errors';
import { assertPermission } from '../../src/auth/authenticate';
import { permissionsForGroups, type Principal } from '../../src/auth/principal';
import { errorBody, httpStatusOf, PayloadTooLargeError } from '../../src/api/http-errors';
import { secretArnPrefix } from '../../src/api/deps';
import { ConflictError, NotFoundError, OperationFailedError, ValidationError } from '../../src/errors';
import { compactForAudit } from '../../src/repos/audit';
import { RepoConfigPatchSchema, RepoConfigSchema, type RepoConfig } from '../../src/repos/repo-config';
import { onboardedRow, patchedRow, removedRow, REMOVED_TTL_SECONDS } from '../../src/repos/rows';
import { etagOf, ifMatchAllows, repoFromPath } from '../../src/api/http';
import { decodeNextToken, encodeNextToken } from '../../src/repos/store';
import { tokenSecretName } from '../../src/repos/token-secrets';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const LATER = new Date('2026-05-01T11:00:00.000Z');

describe('rows', () => {
  it('onboards with defaults, lower-case id, provisioning, version 1; a restore continues the version', () => {
    // Act
    const row = onboardedRow({ repo: 'Acme/Widgets', max_turns: 5 }, NOW);
    const restored = onboardedRow({ repo: 'acme/widgets' }, LATER, { ...row, status: 'removed', version: 4 });
    // Assess
    expect(row).toMatchObject({
      repo: 'acme/widgets',
      max_turns: 5,
      max_budget_usd: 10,
      compute_type: 'agentcore',
      status: 'provisioning',
      source: 'api',
      version: 1,
      onboarded_at: NOW.toISOString(),
    });
    expect(RepoConfigSchema.safeParse(row).success).toBe(true);
    expect(restored).toMatchObject({ version: 5, max_turns: 100, status: 'provisioning' });
  });

  it('patches: null clears, unchanged values are no change, a change bumps the version and re-provisions', () => {
    // Prepare
    const row: RepoConfig = { ...onboardedRow({ repo: 'a/b', build_command: 'make' }, NOW), status: 'failed', status_reason: 'x' };
    // Act
    const same = patchedRow(row, { build_command: 'make' }, LATER);
    const cleared = patchedRow(row, { build_command: null, max_turns: 7 }, LATER);
    // Assess
    expect(same).toEqual({ row, changed: [] });
    expect(cleared.changed).toEqual(['build_command', 'max_turns']);
    expect(cleared.row).toMatchObject({ max_turns: 7, status: 'provisioning', version: 2, updated_at: LATER.toISOString() });
    expect(cleared.row).not.toHaveProperty('build_command');
    expect(cleared.row).not.toHaveProperty('status_reason');
  });

  it('removes with a TTL and a new version', () => {
    // Act
    const removed = removedRow(onboardedRow({ repo: 'a/b' }, NOW), LATER);
    // Assess
    expect(removed).toMatchObject({ status: 'removed', version: 2, expires_at: Math.floor(LATER.getTime() / 1000) + REMOVED_TTL_SECONDS });
  });

  it('matches If-Match against the version: quoted, bare, weak, lists and *', () => {
    expect(etagOf({ version: 3 })).toBe('"3"');
    expect([undefined, '"3"', '3', 'W/"3"', '"1", "3"', '*'].map((h) => ifMatchAllows(h, 3))).toEqual([true, true, true, true, true, true]);
    expect(['"2"', '', 'x', '"33"'].map((h) => ifMatchAllows(h, 3))).toEqual([false, false, false, false]);
  });

  it('refuses a patch that tries to null a required setting or change bookkeeping', () => {
    expect(RepoConfigPatchSchema.safeParse({ max_turns: null }).success).toBe(false);
    expect(RepoConfigPatchSchema.safeParse({ version: 9 }).success).toBe(false);
    expect(RepoConfigPatchSchema.safeParse({ model_id: null }).success).toBe(true);
  });
});

describe('repository ids from the path', () => {
  it('canonicalizes to lower case and refuses what GitHub would not accept', () => {
    expect(repoFromPath('Acme', 'Widgets.js')).toBe('acme/widgets.js');
    for (const [owner, name] of [
      ['..', 'x'],
      ['acme', '..'],
      ['-acme', 'x'],
      ['acme', 'x.git'],
      ['\u0430cme', 'x'],
      ['acme', 'a/b'],
      ['a'.repeat(40), 'x'],
    ]) {
      expect(() => repoFromPath(owner!, name!)).toThrow(expect.objectContaining({ code: 'INVALID_REPO_ID' }));
    }
  });
});

describe('next_token', () => {
  it('round-trips and refuses tokens for another filter or of another shape', () => {
    const token = encodeNextToken({ repo: 'a/b', status: 'active' });
    expect(decodeNextToken(token, 'active')).toEqual({ repo: 'a/b', status: 'active' });
    expect(() => decodeNextToken(token, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }));
    expect(() => decodeNextToken(encodeNextToken({ repo: 'a/b', extra: 1 }))).toThrow(expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }));
    expect(() => decodeNextToken('%%%')).toThrow(expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }));
  });
});

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

describe('HTTP mapping of named errors', () => {
  it('maps each kind to its status, and hides the message of anything unexpected', () => {
    expect(httpStatusOf(new ValidationError('x'))).toBe(400);
    expect(httpStatusOf(new ValidationError('x', 'GUARDRAIL_VIOLATION'))).toBe(422);
    expect(httpStatusOf(new UnauthorizedError('x'))).toBe(401);
    expect(httpStatusOf(new ForbiddenError('x'))).toBe(403);
    expect(httpStatusOf(new NotFoundError('x'))).toBe(404);
    expect(httpStatusOf(new ConflictError('x', 'REPO_EXISTS'))).toBe(409);
    expect(httpStatusOf(new ConflictError('x', 'PRECONDITION_FAILED'))).toBe(412);
    expect(httpStatusOf(new PayloadTooLargeError('x'))).toBe(413);
    expect(httpStatusOf(new OperationFailedError('x'))).toBe(500);
    expect(errorBody(new Error('secret detail'))).toEqual({ error: { code: 'INTERNAL', message: expect.not.stringContaining('secret detail') } });
  });
});

describe('audit values', () => {
  it('records large values as a digest so an event always fits in one item', () => {
    // Act
    const compact = compactForAudit({ cedar_policies: ['p'.repeat(20_000)], max_turns: 3 }) as Record<string, unknown>;
    // Assess
    expect(compact.max_turns).toBe(3);
    expect(compact.cedar_policies).toEqual({ sha256: expect.stringMatching(/^[a-f0-9]{64}$/), bytes: 20_004 });
  });
});

describe('secret naming', () => {
  it('puts tokens under the platform prefix, and derives the ARN prefix from the platform account and region', () => {
    expect(tokenSecretName('abca/dev/', 'acme/widgets')).toBe('abca/dev/github-token/acme/widgets');
    const platform = {
      agentRuntimeArn: 'arn:aws-cn:bedrock-agentcore:cn-north-1:111122223333:runtime/abca_dev_agent-x',
      region: 'cn-north-1',
      secretPrefix: 'abca/dev/',
    };
    expect(secretArnPrefix(platform as never)).toBe('arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:abca/dev/');
  });
});
