/**
 * The authorization matrix over real HTTP: missing, expired, foreign and wrong-kind tokens, users
 * in the wrong group, revoked keys and keys without the scope all get 401/403 and write nothing;
 * the right credentials get through.
 */
import { spawnSync } from 'node:child_process';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RepoCounter } from '../../src/repos/counter';
import { ensureLocalUser } from '../../src/local/admin-user';
import { accessToken, useApi, type Harness } from './support';

const harness = useApi({ env: 'authz' });

type ErrorReply = { error: { code: string; message: string } };

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * moto signs every pool's tokens with the key it ships: a token signed with it, by moto's own JOSE
 * library, is genuine in every respect the test does not change (here: expiry).
 */
function signWithPoolKey(payload: Record<string, unknown>): string {
  const script = [
    'import json, sys',
    'from joserfc import jwk, jwt',
    'from moto.utilities.utils import load_resource',
    "key = jwk.RSAKey.import_key(load_resource('moto.cognitoidp.models', 'resources/jwks-private.json'))",
    "print(jwt.encode({'kid': 'dummy', 'alg': 'RS256'}, json.loads(sys.stdin.read()), key))",
  ].join('\n');
  const out = spawnSync(process.env.PYTHON ?? 'python3', ['-c', script], { input: JSON.stringify(payload), encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`signing failed: ${out.stderr}`);
  return out.stdout.trim();
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

async function writesSoFar(h: Harness): Promise<{ rows: number; slots: number; audit: number; secrets: number }> {
  const rows = await h.clients.doc.send(new ScanCommand({ TableName: h.platform.tables.repos, Select: 'COUNT' }));
  const audit = await h.clients.doc.send(new ScanCommand({ TableName: h.platform.tables.audit, Select: 'COUNT' }));
  const secrets = await h.clients.secrets.send(new ListSecretsCommand({}));
  return {
    rows: rows.Count ?? 0,
    slots: await new RepoCounter(h.clients.doc, h.platform.tables.repos).current(),
    audit: audit.Count ?? 0,
    secrets: secrets.SecretList?.length ?? 0,
  };
}

const WRITES: [string, string, unknown][] = [
  ['POST', '/v1/repos', { repo: 'authz/target' }],
  ['PATCH', '/v1/repos/authz/existing', { max_turns: 5 }],
  ['DELETE', '/v1/repos/authz/existing', undefined],
  ['PUT', '/v1/repos/authz/existing/github-token', { token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' }],
];

let keys: { read: string; write: string; submit: string; revoked: string };

beforeAll(async () => {
  const h = harness();
  expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'authz/existing' } })).status).toBe(201);
  await h.api.idle();
  const mint = async (scopes: string[]) =>
    (
      await h.call<{ api_key: string; key_id: string }>('POST', '/v1/api-keys', {
        token: h.adminToken,
        body: { name: `key ${scopes.join(' ')}`.replace(/:/g, '-'), scopes },
      })
    ).body;
  const revoked = await mint(['repos:read', 'repos:write']);
  expect((await h.call('DELETE', `/v1/api-keys/${revoked.key_id}`, { token: h.adminToken })).status).toBe(200);
  keys = {
    read: (await mint(['repos:read'])).api_key,
    write: (await mint(['repos:write'])).api_key,
    submit: (await mint(['tasks:submit'])).api_key,
    revoked: revoked.api_key,
  };
});

describe('rejected credentials: 401/403, nothing written', () => {
  it.each<[string, (h: Harness) => Promise<Record<string, string>>, number, string]>([
    ['no credentials', async () => ({}), 401, 'UNAUTHORIZED'],
    ['a malformed Authorization header', async () => ({ authorization: 'Basic YWxpY2U6cHc=' }), 401, 'INVALID_TOKEN'],
    ['a bearer value that is not a JWT', async () => ({ authorization: 'Bearer not.a.jwt' }), 401, 'INVALID_TOKEN'],
    [
      'an expired access token signed by the pool key',
      async (h) => {
        const now = Math.floor(Date.now() / 1000);
        const claims = { ...claimsOf(h.adminToken), iat: now - 7200, auth_time: now - 7200, exp: now - 3600 };
        return { authorization: `Bearer ${signWithPoolKey(claims)}` };
      },
      401,
      'TOKEN_EXPIRED',
    ],
    [
      'an access token with a tampered payload (admin group added)',
      async (h) => {
        const [header, , sig] = h.operatorToken.split('.');
        return { authorization: `Bearer ${header}.${b64url({ ...claimsOf(h.operatorToken), 'cognito:groups': ['admin'] })}.${sig}` };
      },
      401,
      'INVALID_TOKEN',
    ],
    [
      'an unsigned token (alg none)',
      async (h) => ({ authorization: `Bearer ${b64url({ alg: 'none' })}.${b64url(claimsOf(h.adminToken))}.` }),
      401,
      'INVALID_TOKEN',
    ],
    [
      'an access token from another user pool',
      async (h) => {
        const pool = await h.clients.cognito.send(new CreateUserPoolCommand({ PoolName: 'someone-else' }));
        const poolId = pool.UserPool!.Id!;
        const client = await h.clients.cognito.send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'theirs', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
        );
        await h.clients.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'mallory', MessageAction: 'SUPPRESS' }));
        await h.clients.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'mallory', Password: 'Other-Pool-pw1', Permanent: true }));
        return {
          authorization: `Bearer ${await accessToken(h.clients.cognito, client.UserPoolClient!.ClientId!, { username: 'mallory', password: 'Other-Pool-pw1' })}`,
        };
      },
      401,
      'INVALID_TOKEN',
    ],
    [
      'an access token issued to another app client of the same pool',
      async (h) => {
        const client = await h.clients.cognito.send(
          new CreateUserPoolClientCommand({ UserPoolId: h.platform.userPoolId, ClientName: 'not-the-cli', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
        );
        const user = await ensureLocalUser(h.clients.cognito, h.platform.userPoolId, 'alice2', 'admin');
        return { authorization: `Bearer ${await accessToken(h.clients.cognito, client.UserPoolClient!.ClientId!, user)}` };
      },
      401,
      'INVALID_TOKEN',
    ],
    [
      'an ID token where an access token is required',
      async (h) => {
        const user = await ensureLocalUser(h.clients.cognito, h.platform.userPoolId, 'alice3', 'admin');
        return { authorization: `Bearer ${await accessToken(h.clients.cognito, h.platform.userPoolClientId, user, 'id')}` };
      },
      401,
      'INVALID_TOKEN',
    ],
    ['an operator writing', async (h) => ({ authorization: `Bearer ${h.operatorToken}` }), 403, 'FORBIDDEN'],
    ['a revoked API key', async () => ({ 'x-api-key': keys.revoked }), 401, 'API_KEY_REVOKED'],
    ['an API key with a wrong secret', async () => ({ 'x-api-key': keys.write.replace(/.{4}$/, '0000') }), 401, 'INVALID_API_KEY'],
    ['a malformed API key', async () => ({ 'x-api-key': 'bgak_nothex_secret' }), 401, 'INVALID_API_KEY'],
    ['an API key without repos:write', async () => ({ 'x-api-key': keys.read }), 403, 'FORBIDDEN'],
    ['both a token and an API key', async (h) => ({ authorization: `Bearer ${h.adminToken}`, 'x-api-key': keys.write }), 401, 'AMBIGUOUS_CREDENTIALS'],
  ])('%s', async (_name, credentials, status, code) => {
    // Prepare
    const h = harness();
    const headers = await credentials(h);
    const before = await writesSoFar(h);
    // Act
    const replies = await Promise.all(WRITES.map(([method, p, body]) => h.call<ErrorReply>(method, p, { headers, body })));
    // Assess
    for (const r of replies) {
      expect(r.status).toBe(status);
      expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
    }
    expect(await writesSoFar(h)).toEqual(before);
    const row = await h.call<{ max_turns: number; status: string }>('GET', '/v1/repos/authz/existing', { token: h.adminToken });
    expect(row.body).toMatchObject({ max_turns: 100, status: 'active' });
  });

  it('says why an ID token is refused', async () => {
    // Prepare
    const h = harness();
    const user = await ensureLocalUser(h.clients.cognito, h.platform.userPoolId, 'alice4', 'admin');
    const idToken = await accessToken(h.clients.cognito, h.platform.userPoolClientId, user, 'id');
    // Act
    const res = await h.call<ErrorReply>('GET', '/v1/repos', { token: idToken });
    // Assess
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/access token is required/);
  });

  it('refuses reads to a user in no group and to a key without repos:read (403)', async () => {
    // Prepare
    const h = harness();
    const loner = await ensureLocalUser(h.clients.cognito, h.platform.userPoolId, 'nobody', 'operator');
    const { AdminRemoveUserFromGroupCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    await h.clients.cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: h.platform.userPoolId, Username: 'nobody', GroupName: 'operator' }));
    const token = await accessToken(h.clients.cognito, h.platform.userPoolClientId, loner);
    // Act
    const replies = await Promise.all([
      h.call('GET', '/v1/repos', { token }),
      h.call('GET', '/v1/repos/authz/existing', { apiKey: keys.write }),
      h.call('GET', '/v1/repos', { apiKey: keys.submit }),
    ]);
    // Assess
    expect(replies.map((r) => r.status)).toEqual([403, 403, 403]);
  });

  it('keeps API key management to Cognito admins: operators and every key get 403', async () => {
    // Prepare
    const h = harness();
    // Act
    const replies = await Promise.all([
      h.call('POST', '/v1/api-keys', { token: h.operatorToken, body: { name: 'x', scopes: ['repos:read'] } }),
      h.call('GET', '/v1/api-keys', { token: h.operatorToken }),
      h.call('POST', '/v1/api-keys', { apiKey: keys.write, body: { name: 'x', scopes: ['repos:read'] } }),
      h.call('GET', '/v1/api-keys', { apiKey: keys.read }),
      h.call('DELETE', '/v1/api-keys/0123456789abcdef', { apiKey: keys.write }),
    ]);
    // Assess
    expect(replies.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
  });
});

describe('accepted credentials', () => {
  it('lets operators and repos:read keys read, admins and repos:write keys write', async () => {
    // Prepare
    const h = harness();
    // Act
    const operatorRead = await h.call('GET', '/v1/repos/authz/existing', { token: h.operatorToken });
    const keyRead = await h.call('GET', '/v1/repos', { apiKey: keys.read });
    const keyWrite = await h.call<{ repo: string }>('POST', '/v1/repos', { apiKey: keys.write, body: { repo: 'authz/by-key' } });
    const adminWrite = await h.call('PATCH', '/v1/repos/authz/by-key', { token: h.adminToken, body: { max_turns: 12 } });
    // Assess
    expect([operatorRead.status, keyRead.status, keyWrite.status, adminWrite.status]).toEqual([200, 200, 201, 200]);
    expect(keyWrite.body.repo).toBe('authz/by-key');
  });

  it('serves the OpenAPI document without credentials', async () => {
    // Act
    const res = await harness().call<{ openapi: string }>('GET', '/v1/openapi.json');
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
  });
});

describe('API keys', () => {
  it('shows the key once at creation, stores only a hash, lists without secrets, and revocation takes effect at once', async () => {
    // Prepare
    const h = harness();
    // Act
    const created = await h.call<{ key_id: string; api_key: string; scopes: string[]; name: string; created_by: string }>('POST', '/v1/api-keys', {
      token: h.adminToken,
      body: { name: 'ci', scopes: ['repos:read'] },
    });
    const usable = await h.call('GET', '/v1/repos', { apiKey: created.body.api_key });
    const listed = await h.call<{ items: Record<string, unknown>[] }>('GET', '/v1/api-keys', { token: h.adminToken });
    const stored = await h.clients.doc.send(new ScanCommand({ TableName: h.platform.tables.apiKeys }));
    const revoked = await h.call<{ revoked_at?: string }>('DELETE', `/v1/api-keys/${created.body.key_id}`, { token: h.adminToken });
    const afterRevoke = await h.call<ErrorReply>('GET', '/v1/repos', { apiKey: created.body.api_key });
    const unknown = await h.call<ErrorReply>('DELETE', '/v1/api-keys/ffffffffffffffff', { token: h.adminToken });
    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ci', scopes: ['repos:read'], created_by: 'user:alice' });
    expect(created.body.api_key).toMatch(new RegExp(`^bgak_${created.body.key_id}_[a-f0-9]{64}$`));
    expect(usable.status).toBe(200);
    const secret = created.body.api_key.split('_')[2]!;
    expect(JSON.stringify(stored.Items)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.items.find((k) => k.key_id === created.body.key_id)).toEqual({
      key_id: created.body.key_id,
      name: 'ci',
      scopes: ['repos:read'],
      created_at: expect.any(String),
      created_by: 'user:alice',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body.error.code).toBe('API_KEY_REVOKED');
    expect(unknown.status).toBe(404);
  });

  it('refuses bad key requests with 400', async () => {
    // Prepare
    const h = harness();
    // Act
    const replies = await Promise.all(
      [
        { name: 'x', scopes: ['repos:admin'] },
        { name: '', scopes: ['repos:read'] },
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['repos:read', 'repos:read'] },
        { name: 'x', scopes: ['repos:read'], extra: 1 },
      ].map((body) => h.call<ErrorReply>('POST', '/v1/api-keys', { token: h.adminToken, body })),
    );
    // Assess
    expect(replies.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(replies.every((r) => r.body.error.code === 'VALIDATION_ERROR')).toBe(true);
  });
});

describe('API key management re-checks the admin group', () => {
  it('refuses key management with a token issued before the user left the admin group; other admin rights last until the token expires', async () => {
    // Prepare
    const h = harness();
    const { AdminAddUserToGroupCommand, AdminRemoveUserFromGroupCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const before = await h.call('GET', '/v1/api-keys', { token: h.adminToken });
    await h.clients.cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: h.platform.userPoolId, Username: 'alice', GroupName: 'admin' }));
    try {
      // Act
      const create = await h.call<ErrorReply>('POST', '/v1/api-keys', { token: h.adminToken, body: { name: 'late', scopes: ['repos:read'] } });
      const list = await h.call<ErrorReply>('GET', '/v1/api-keys', { token: h.adminToken });
      const read = await h.call('GET', '/v1/repos', { token: h.adminToken });
      // Assess
      expect(before.status).toBe(200);
      expect([create.status, list.status]).toEqual([403, 403]);
      expect(create.body.error.message).toContain('no longer in');
      expect(read.status).toBe(200);
    } finally {
      await h.clients.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: h.platform.userPoolId, Username: 'alice', GroupName: 'admin' }));
    }
  });
});

describe('API key expiry', () => {
  it('takes an optional expires_at, shows it, and refuses the key once it has passed (401 API_KEY_EXPIRED)', async () => {
    // Prepare
    const h = harness();
    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const created = await h.call<{ key_id: string; api_key: string; expires_at?: string }>('POST', '/v1/api-keys', {
      token: h.adminToken,
      body: { name: 'ci-expiring', scopes: ['repos:read'], expires_at: inAWeek },
    });
    const before = await h.call('GET', '/v1/repos', { apiKey: created.body.api_key });
    // Act: the week has passed.
    await h.clients.doc.send(
      new UpdateCommand({
        TableName: h.platform.tables.apiKeys,
        Key: { key_id: created.body.key_id },
        UpdateExpression: 'SET expires_at = :at',
        ExpressionAttributeValues: { ':at': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const after = await h.call<ErrorReply>('GET', '/v1/repos', { apiKey: created.body.api_key });
    // Assess
    expect(created.status).toBe(201);
    expect(created.body.expires_at).toBe(inAWeek);
    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('API_KEY_EXPIRED');
  });

  it('refuses an expiry in the past, more than a year ahead, or without a time zone (400)', async () => {
    // Prepare
    const h = harness();
    const bodies = [new Date(Date.now() - 60_000).toISOString(), new Date(Date.now() + 400 * 86_400_000).toISOString(), '2030-01-01T00:00:00', 'tomorrow'].map(
      (expires_at) => ({ name: 'x', scopes: ['repos:read'], expires_at }),
    );
    // Act
    const replies = await Promise.all(bodies.map((body) => h.call<ErrorReply>('POST', '/v1/api-keys', { token: h.adminToken, body })));
    // Assess
    expect(replies.map((r) => [r.status, r.body.error.code])).toEqual(bodies.map(() => [400, 'VALIDATION_ERROR']));
  });
});

describe('logs', () => {
  it('write one line per request with its request id and actor, and never a token or key', async () => {
    // Prepare
    const h = harness();
    const from = h.logs.length;
    // Act
    const byToken = await h.call('GET', '/v1/repos/authz/existing', { token: h.adminToken });
    const byKey = await h.call('GET', '/v1/repos', { apiKey: keys.read });
    await h.call('GET', '/v1/repos', { apiKey: keys.revoked });
    // Assess
    const lines = h.logs.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.message === 'request');
    expect(requests.map((l) => l.request_id)).toEqual(expect.arrayContaining([byToken.headers.get('x-request-id'), byKey.headers.get('x-request-id')]));
    expect(requests.find((l) => l.request_id === byToken.headers.get('x-request-id'))).toMatchObject({
      method: 'GET',
      status: 200,
      actor: 'user:alice',
      service: 'abca-api',
    });
    const all = h.logs.join('\n');
    for (const secret of [h.adminToken, h.adminToken.split('.')[2]!, keys.read, keys.read.split('_')[2]!, keys.revoked.split('_')[2]!])
      expect(all).not.toContain(secret);
  });
});
