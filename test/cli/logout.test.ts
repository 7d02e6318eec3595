/**
 * `bgagent logout` revokes the refresh token (Cognito RevokeToken) before forgetting the session.
 * moto does not serve RevokeToken, so a small local endpoint stands in for Cognito here, reached
 * through the standard AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER; it answers as the service
 * model says (empty JSON on success, a modeled error otherwise) and records what it was sent.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { bgagent } from './support';

interface Seen {
  target?: string;
  body: Record<string, unknown>;
}

async function fakeCognito(answer: (seen: Seen) => { status: number; body: unknown }): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const entry = { target: req.headers['x-amz-target'] as string | undefined, body: JSON.parse(raw || '{}') as Record<string, unknown> };
      seen.push(entry);
      const { status, body } = answer(entry);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function signedIn(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgagent-logout-'));
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ env: 'dev', region: 'us-east-1', apiUrl: 'http://127.0.0.1:9', userPoolId: 'us-east-1_abc', userPoolClientId: 'client123' }),
  );
  fs.writeFileSync(
    path.join(dir, 'credentials.json'),
    JSON.stringify({
      env: 'dev',
      userPoolClientId: 'client123',
      username: 'alice',
      accessToken: 'a.b.c',
      refreshToken: 'refresh-token-value',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    }),
    { mode: 0o600 },
  );
  return dir;
}

describe('bgagent logout', () => {
  it('revokes the refresh token with Cognito, then removes the session', async () => {
    // Prepare
    const cognito = await fakeCognito(() => ({ status: 200, body: {} }));
    const dir = signedIn();
    // Act
    const run = await bgagent(['logout', '--json'], { env: { BGAGENT_CONFIG_DIR: dir, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url } });
    await cognito.close();
    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, removed: true, revoked: true });
    expect(cognito.seen).toEqual([{ target: 'AWSCognitoIdentityProviderService.RevokeToken', body: { Token: 'refresh-token-value', ClientId: 'client123' } }]);
    expect(fs.existsSync(path.join(dir, 'credentials.json'))).toBe(false);
  });

  it('still forgets the session when Cognito refuses, and says the token stays valid (exit 1)', async () => {
    // Prepare
    const cognito = await fakeCognito(() => ({ status: 400, body: { __type: 'UnsupportedOperationException', message: 'token revocation is not enabled' } }));
    const dir = signedIn();
    // Act
    const run = await bgagent(['logout'], { env: { BGAGENT_CONFIG_DIR: dir, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url } });
    await cognito.close();
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/REVOKE_FAILED: .*UnsupportedOperationException.*stays valid/);
    expect(fs.existsSync(path.join(dir, 'credentials.json'))).toBe(false);
  });

  it('calls nobody when there is no session', async () => {
    // Prepare
    const cognito = await fakeCognito(() => ({ status: 200, body: {} }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgagent-logout-'));
    // Act
    const run = await bgagent(['logout', '--json'], { env: { BGAGENT_CONFIG_DIR: dir, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url } });
    await cognito.close();
    // Assess
    expect([run.code, JSON.parse(run.stdout)]).toEqual([0, { ok: true, removed: false, revoked: false }]);
    expect(cognito.seen).toEqual([]);
  });
});
