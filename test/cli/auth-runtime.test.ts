/**
 * The built `bgagent` against moto (no API needed): configure from the platform parameter, login
 * against Cognito, and the runtime commands.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { ensureLocalUser, type LocalUser } from '../../src/local/admin-user';
import { pushLocalImage } from '../../src/local/images';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { useMoto } from '../support/moto';
import { bgagent, tempConfigDir, useBuiltCli } from './support';

const ENV = 'cliauth';

describe('bgagent configure, login and runtime (built binary against moto)', () => {
  useMoto();
  useBuiltCli();
  const clients = createClients();
  let platform: PlatformConfig;
  let admin: LocalUser;

  beforeAll(async () => {
    ({ platform } = await bootstrapLocal({ env: ENV, clients, apiUrl: 'http://127.0.0.1:9' }));
    admin = await ensureLocalUser(clients.cognito, platform.userPoolId, 'admin', 'admin');
  });

  it('configure --env writes config.json from /abca/<env>/platform and --json says what it wrote', async () => {
    // Prepare
    const dir = tempConfigDir();
    // Act
    const run = await bgagent(['configure', '--env', ENV, '--json'], { env: { BGAGENT_CONFIG_DIR: dir } });
    // Assess
    expect(run.code).toBe(0);
    const expected = {
      env: ENV,
      region: platform.region,
      apiUrl: platform.apiUrl,
      userPoolId: platform.userPoolId,
      userPoolClientId: platform.userPoolClientId,
    };
    expect(run.json()).toEqual({ ok: true, ...expected, config_path: path.join(dir, 'config.json'), signed_out: false });
    expect(JSON.parse(require('node:fs').readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual(expected);
  });

  it('configure for an environment that does not exist exits 2 with UNKNOWN_ENV', async () => {
    // Act
    const run = await bgagent(['configure', '--env', 'nosuchenv'], { env: { BGAGENT_CONFIG_DIR: tempConfigDir() } });
    // Assess
    expect(run.code).toBe(2);
    expect(run.errors()).toEqual([expect.stringMatching(/^error: UNKNOWN_ENV: environment "nosuchenv" not found/)]);
  });

  it('login --password-stdin stores a 0600 session for the configured pool; whoami shows it', async () => {
    // Prepare
    const dir = tempConfigDir();
    await bgagent(['configure', '--env', ENV], { env: { BGAGENT_CONFIG_DIR: dir } });
    // Act
    const run = await bgagent(['login', '--username', admin.username, '--password-stdin', '--json'], {
      env: { BGAGENT_CONFIG_DIR: dir },
      input: `${admin.password}\n`,
    });
    // Assess
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ ok: true, env: ENV, username: 'admin', credentials_path: path.join(dir, 'credentials.json') });
    expect(Date.parse(run.json().expires_at)).toBeGreaterThan(Date.now() + 60_000);
    expect(statSync(path.join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(require('node:fs').readFileSync(path.join(dir, 'credentials.json'), 'utf8'));
    expect(creds).toMatchObject({
      env: ENV,
      userPoolClientId: platform.userPoolClientId,
      username: 'admin',
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    const who = await bgagent(['whoami', '--json'], { env: { BGAGENT_CONFIG_DIR: dir } });
    expect(who.json()).toMatchObject({ env: ENV, auth: 'cognito', username: 'admin' });
  });

  it('login with a wrong password exits 2 with AUTH_FAILED and stores nothing', async () => {
    // Prepare
    const dir = tempConfigDir();
    await bgagent(['configure', '--env', ENV], { env: { BGAGENT_CONFIG_DIR: dir } });
    // Act
    const run = await bgagent(['login', '--username', admin.username, '--password-stdin', '--json'], {
      env: { BGAGENT_CONFIG_DIR: dir },
      input: 'Wrong-password-1a\n',
    });
    // Assess
    expect(run.code).toBe(2);
    expect(run.json()).toEqual({ ok: false, error: { code: 'AUTH_FAILED', message: 'incorrect username or password' } });
    expect(run.errors()).toEqual(['error: AUTH_FAILED: incorrect username or password']);
    expect(() => statSync(path.join(dir, 'credentials.json'))).toThrow();
  });

  it('login --password warns that the password is visible, and still signs in', async () => {
    // Prepare
    const dir = tempConfigDir();
    await bgagent(['configure', '--env', ENV], { env: { BGAGENT_CONFIG_DIR: dir } });
    // Act
    const run = await bgagent(['login', '--username', admin.username, '--password', admin.password], { env: { BGAGENT_CONFIG_DIR: dir } });
    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: a password on the command line is visible');
    expect(run.stdout).toContain(`signed in to "${ENV}" as admin`);
  });

  it('runtime publish, status, rollback and history: JSON shapes, and history joins SSM versions with the audit', async () => {
    // Prepare
    const a = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, 'cli-a');
    const env = { BGAGENT_CONFIG_DIR: tempConfigDir(), GITHUB_SHA: 'c0ffee1234567890' };
    // Act
    // No local data plane in this file (the canary check's invocation has nothing to answer it; test/runtime/canary-check covers it).
    const publish = await bgagent(
      ['runtime', 'publish', '--env', ENV, '--image-tag', 'cli-a', '--reason', 'first', '--no-canary-check', '--poll-interval-ms', '10', '--json'],
      {
        env,
      },
    );
    const status = await bgagent(['runtime', 'status', '--env', ENV, '--json'], { env });
    const rollback = await bgagent(['runtime', 'rollback', '--env', ENV, '--to-label', 'previous', '--poll-interval-ms', '10', '--json'], { env });
    const [history, human] = await Promise.all([
      bgagent(['runtime', 'history', '--env', ENV, '--json'], { env }),
      bgagent(['runtime', 'history', '--env', ENV], { env }),
    ]);
    // Assess
    expect(publish.code).toBe(0);
    expect(publish.json()).toMatchObject({ ok: true, action: 'publish', outcome: 'published', env: ENV, to: a, pointerVersion: 2 });
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ env: ENV, inSync: true, pointer: { digest: a, version: 2 }, runtime: { digest: a, status: 'READY' }, drift: [] });
    expect(rollback.code).toBe(0);
    const bootstrapDigest = publish.json().from;
    expect(rollback.json()).toMatchObject({ action: 'rollback', outcome: 'published', to: bootstrapDigest, pointerVersion: 3 });
    expect(history.code).toBe(0);
    const doc = history.json();
    expect(doc).toMatchObject({ env: ENV, parameter: platform.imagePointerParameter });
    expect(
      doc.entries.map((e: { version: number; digest: string; outcome?: string; action?: string; in_ssm: boolean }) => [
        e.version,
        e.digest,
        e.action,
        e.outcome,
        e.in_ssm,
      ]),
    ).toEqual([
      [3, bootstrapDigest, 'rollback', 'succeeded', true],
      [2, a, 'publish', 'succeeded', true],
      // Bootstrap's own re-apply (as the stack's custom resource after Terraform) is audited on version 1.
      [1, bootstrapDigest, 'reapply', 'repaired', true],
    ]);
    expect(doc.entries[1]).toMatchObject({
      labels: ['previous'],
      git_commit: 'c0ffee1234567890',
      reason: 'first',
      actor: expect.any(String),
      at: expect.any(String),
    });
    expect(doc.entries[0].labels).toEqual(['live']);
    expect(human.stdout).toMatch(/^VERSION\s+DIGEST\s+LABELS\s+WHEN\s+ACTION\s+BY\s+COMMIT\s+OUTCOME/m);
    expect(human.stdout).toMatch(/^2\s+sha256:\S+…\s+previous\s+\S+\s+publish\s+\S+\s+c0ffee123456\s+succeeded\s+first$/m);
  });

  it('runtime status exits 3 on drift, and publish of a malformed digest exits 2 before writing', async () => {
    // Prepare: a pointer moved without the runtime following (a crashed publish)
    const b = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, 'cli-b');
    await clients.ssm.send(new PutParameterCommand({ Name: platform.imagePointerParameter, Value: b, Type: 'String', Overwrite: true }));
    const env = { BGAGENT_CONFIG_DIR: tempConfigDir() };
    // Act
    const [status, bad] = await Promise.all([
      bgagent(['runtime', 'status', '--env', ENV, '--json'], { env }),
      bgagent(['runtime', 'publish', '--env', ENV, '--image-digest', 'latest'], { env }),
    ]);
    // Assess
    expect(status.code).toBe(3);
    expect(status.json()).toMatchObject({ inSync: false, pointer: { digest: b }, drift: [expect.stringContaining('runtime serves')] });
    expect(bad.code).toBe(2);
    expect(bad.errors()).toEqual([expect.stringMatching(/^error: INVALID_DIGEST: /)]);
  });
});
