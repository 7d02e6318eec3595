/**
 * The built `bgagent` against the local control plane: moto + the platform + the API server over
 * the same handlers as Lambda. One environment and one server for the file; each test its own
 * repositories and config folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { createClients } from '../../src/aws/clients';
import { startApiServer } from '../../src/api/server';
import { ensureLocalUser, type LocalUser } from '../../src/local/admin-user';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { useMoto } from '../support/moto';
import { bgagent, tempConfigDir, useBuiltCli, type CliRun } from './support';

const ENV = 'cliapi';

describe('bgagent over the API (built binary, local control plane)', () => {
  useMoto();
  useBuiltCli();
  const clients = createClients();
  let server: { url: string; close: () => Promise<void> | void };
  let admin: LocalUser;
  let dir: string;
  /** Runs bgagent as the signed-in admin against the local API. */
  const cli = (args: string[], extra: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> =>
    bgagent(args, { input: extra.input, env: { BGAGENT_CONFIG_DIR: dir, ABCA_API_URL: server.url, ...extra.env } });

  beforeAll(async () => {
    const { platform } = await bootstrapLocal({ env: ENV, clients });
    server = await startApiServer({ env: ENV, port: 0, clients, log: () => undefined });
    admin = await ensureLocalUser(clients.cognito, platform.userPoolId, 'admin', 'admin');
    dir = tempConfigDir();
    const configure = await cli(['configure', '--env', ENV]);
    const login = await cli(['login', '--username', admin.username, '--password-stdin'], { input: admin.password });
    if (configure.code !== 0 || login.code !== 0) throw new Error(`setup failed: ${configure.stderr}${login.stderr}`);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('repo onboard --wait --json returns the active row; show and list find it', async () => {
    // Act
    const onboard = await cli([
      'repo',
      'onboard',
      'acme/one',
      '--max-turns',
      '40',
      '--egress-allowlist',
      'pypi.org,api.github.com',
      '--wait',
      '--wait-interval-ms',
      '100',
      '--json',
    ]);
    const [show, list, table] = await Promise.all([cli(['repo', 'show', 'acme/one', '--json']), cli(['repo', 'list', '--json']), cli(['repo', 'list'])]);
    // Assess
    expect(onboard.code).toBe(0);
    expect(onboard.json()).toMatchObject({
      repo: 'acme/one',
      status: 'active',
      source: 'api',
      version: expect.any(Number),
      max_turns: 40,
      egress_allowlist: ['pypi.org', 'api.github.com'],
    });
    expect(show.code).toBe(0);
    expect(show.json()).toMatchObject({ repo: 'acme/one', status: 'active', max_turns: 40 });
    expect(list.json()).toEqual({ items: expect.arrayContaining([expect.objectContaining({ repo: 'acme/one', status: 'active' })]) });
    expect(table.stdout).toMatch(/^REPO\s+STATUS\s+SOURCE\s+MODEL\s+VERSION\s+UPDATED/);
    expect(table.stdout).toMatch(/^acme\/one\s+active\s+api\s/m);
  });

  it('repo list --limit stops with a next_token, and --next-token continues from it', async () => {
    // Prepare
    await cli(['repo', 'onboard', 'acme/page-a']);
    await cli(['repo', 'onboard', 'acme/page-b']);
    // Act
    const first = await cli(['repo', 'list', '--limit', '1', '--json']);
    const rest = await cli(['repo', 'list', '--next-token', first.json().next_token, '--json']);
    // Assess
    expect(first.code).toBe(0);
    expect(first.json().items).toHaveLength(1);
    expect(first.json().next_token).toEqual(expect.any(String));
    expect(rest.code).toBe(0);
    const repos = rest.json().items.map((r: { repo: string }) => r.repo);
    expect(repos.length).toBeGreaterThan(0);
    expect(repos).not.toContain(first.json().items[0].repo);
  });

  it('repo update sends If-Match: the version moves on; a stale --if-match exits 3 and changes nothing', async () => {
    // Prepare
    const created = (await cli(['repo', 'onboard', 'acme/two', '--json'])).json();
    // Act
    const update = await cli(['repo', 'update', 'acme/two', '--max-turns', '77', '--json']);
    const stale = await cli(['repo', 'update', 'acme/two', '--max-turns', '5', '--if-match', String(created.version), '--json']);
    const after = await cli(['repo', 'show', 'acme/two', '--json']);
    // Assess
    expect(update.code).toBe(0);
    expect(update.json()).toMatchObject({ repo: 'acme/two', max_turns: 77, version: created.version + 1 });
    expect(stale.code).toBe(3);
    expect(stale.json()).toMatchObject({ ok: false, error: { code: expect.any(String), details: { status: 412 } } });
    expect(stale.errors()).toHaveLength(1);
    expect(after.json()).toMatchObject({ max_turns: 77, version: created.version + 1 });
  });

  it('repo remove soft-deletes; show of an unknown repository exits 2 with the API code', async () => {
    // Prepare
    await cli(['repo', 'onboard', 'acme/three']);
    // Act
    const [remove, missing] = await Promise.all([cli(['repo', 'remove', 'acme/three', '--json']), cli(['repo', 'show', 'acme/never-onboarded'])]);
    // Assess
    expect(remove.code).toBe(0);
    expect(remove.json()).toMatchObject({ repo: 'acme/three', status: 'removed' });
    expect(missing.code).toBe(2);
    expect(missing.errors()).toEqual([expect.stringMatching(/^error: [A-Z_]+: /)]);
  });

  it('repo onboard with a value the API refuses exits 2 with its code, writing nothing', async () => {
    // Act
    const bad = await cli(['repo', 'onboard', 'acme/four', '--max-turns', '100000', '--json']);
    const show = await cli(['repo', 'show', 'acme/four']);
    // Assess
    expect(bad.code).toBe(2);
    expect(bad.json()).toMatchObject({ ok: false, error: { code: expect.any(String), details: { status: 400 } } });
    expect(show.code).toBe(2);
  });

  it('repo set-token reads the token from stdin', async () => {
    // Prepare
    await cli(['repo', 'onboard', 'acme/five']);
    // Act
    const token = `ghp_${'x1'.repeat(18)}`;
    const run = await cli(['repo', 'set-token', 'acme/five', '--json'], { input: `${token}\n` });
    // Assess
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ ok: true, repo: 'acme/five', github_token_secret_arn: expect.stringContaining(':secret:') });
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('api-key create, list and revoke; the key works until revoked, then exits 2', async () => {
    // Act
    const create = await cli(['api-key', 'create', '--name', 'ci', '--scope', 'repos:read', '--json']);
    const key = create.json();
    const list = await cli(['api-key', 'list', '--json']);
    const withKey = await bgagent(['repo', 'list', '--json'], {
      env: { BGAGENT_CONFIG_DIR: tempConfigDir(), ABCA_API_URL: server.url, BGAGENT_API_KEY: key.api_key },
    });
    const revoke = await cli(['api-key', 'revoke', key.key_id, '--json']);
    const afterRevoke = await bgagent(['repo', 'list'], {
      env: { BGAGENT_CONFIG_DIR: tempConfigDir(), ABCA_API_URL: server.url, BGAGENT_API_KEY: key.api_key },
    });
    // Assess
    expect(create.code).toBe(0);
    expect(key).toMatchObject({
      key_id: expect.any(String),
      name: 'ci',
      scopes: ['repos:read'],
      created_at: expect.any(String),
      api_key: expect.stringMatching(/^bgak_/),
    });
    expect(list.json().items).toEqual(expect.arrayContaining([expect.objectContaining({ key_id: key.key_id, name: 'ci' })]));
    expect(JSON.stringify(list.json())).not.toContain(key.api_key);
    expect(withKey.code).toBe(0);
    expect(withKey.json()).toHaveProperty('items');
    expect(revoke.code).toBe(0);
    expect(revoke.json()).toMatchObject({ ok: true, key_id: key.key_id });
    expect(afterRevoke.code).toBe(2);
    expect(afterRevoke.errors()).toHaveLength(1);
  });

  it('an API key without repos:write cannot onboard: exit 2', async () => {
    // Prepare
    const key = (await cli(['api-key', 'create', '--name', 'reader', '--scope', 'repos:read', '--json'])).json();
    // Act
    const run = await bgagent(['repo', 'onboard', 'acme/six', '--json'], {
      env: { BGAGENT_CONFIG_DIR: tempConfigDir(), ABCA_API_URL: server.url, BGAGENT_API_KEY: key.api_key },
    });
    // Assess
    expect(run.code).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { details: { status: 403 } } });
  });

  it('a session about to expire is refreshed before the request; a token the API refuses is refreshed once and retried', async () => {
    // Prepare
    const file = path.join(dir, 'credentials.json');
    const creds = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...creds, expiresAt: new Date(Date.now() + 20_000).toISOString() }));
    // Act
    const nearExpiry = await cli(['repo', 'list', '--json']);
    const refreshed = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...refreshed, accessToken: 'not-a-valid-token' }));
    const refused = await cli(['repo', 'list', '--json']);
    // Assess
    expect(nearExpiry.code).toBe(0);
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(refused.code).toBe(0);
    expect(refused.json()).toHaveProperty('items');
    expect(JSON.parse(readFileSync(file, 'utf8')).accessToken).not.toBe('not-a-valid-token');
  });

  it('without a session or key: NOT_LOGGED_IN, exit 2; an unreachable API: NETWORK, exit 1', async () => {
    // Prepare
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    // Act
    const [anonymous, offline] = await Promise.all([
      bgagent(['repo', 'list'], { env: { BGAGENT_CONFIG_DIR: tempConfigDir(), ABCA_API_URL: server.url } }),
      cli(['repo', 'list', '--json'], { env: { ABCA_API_URL: `http://127.0.0.1:${closedPort}` } }),
    ]);
    // Assess
    expect(anonymous.code).toBe(2);
    expect(anonymous.errors()).toEqual([expect.stringMatching(/^error: NOT_CONFIGURED|^error: NOT_LOGGED_IN/)]);
    expect(offline.code).toBe(1);
    expect(offline.json()).toMatchObject({ ok: false, error: { code: 'NETWORK' } });
  });
});
