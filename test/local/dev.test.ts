import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isAlive } from '../../src/local/moto';
import { parsePlatformConfig } from '../../src/platform/platform-config';
import { ROOT, TSX } from '../support/run';

const alive = isAlive;

describe('npm run dev (scripts/dev.ts)', () => {
  it('brings up the local platform, writes the env file, and stops everything on SIGTERM', async () => {
    // Prepare
    const stateDir = mkdtempSync(path.join(tmpdir(), 'abca-dev-'));
    const child = spawn(TSX, [path.join(ROOT, 'scripts/dev.ts'), '--env', 'devtest', '--state-dir', stateDir], {
      cwd: ROOT,
      env: { ...process.env, AWS_ENDPOINT_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // Act: wait for it to say it is ready
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (out.includes('ready')) {
          clearInterval(timer);
          resolve();
        }
        if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`dev exited early: ${out}`));
        }
      }, 100);
    });

    // Assess: the env file points at a live emulator holding the platform
    const envFile = readFileSync(path.join(stateDir, 'env.sh'), 'utf8');
    const endpoint = /export AWS_ENDPOINT_URL=(\S+)/.exec(envFile)![1]!;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(path.join(stateDir, 'admin.json')).mode & 0o777).toBe(0o600);
    const ssm = new SSMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const stored = await ssm.send(new GetParameterCommand({ Name: '/abca/devtest/platform' }));
    expect(parsePlatformConfig(stored.Parameter!.Value!, 'platform').env).toBe('devtest');
    const motoPid = Number(/moto pid (\d+)/.exec(out)![1]);
    expect(alive(motoPid)).toBe(true);

    // Act: stop it
    child.kill('SIGTERM');
    const code = await exited;

    // Assess: clean exit, nothing left running
    expect(code).toBe(0);
    expect(out).toContain('nothing left running');
    expect(alive(motoPid)).toBe(false);
  });
});
