/** `tsx scripts/serve-api.ts`: serves the API for an environment, says where, and stops cleanly. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, TSX } from '../support/run';
import { useApi } from './support';

const harness = useApi({ env: 'serve', provision: false });

describe('scripts/serve-api.ts', () => {
  it('prints its URL, answers over HTTP with JSON logs on stderr, and exits 0 on SIGTERM', async () => {
    // Prepare
    const h = harness();
    const child = spawn(TSX, [path.join(ROOT, 'scripts/serve-api.ts'), '--env', h.env, '--port', '0'], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Act
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /API listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        }
        if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`serve-api exited early: ${out}${err}`));
        }
      }, 50);
    });
    const doc = await fetch(`${url}/v1/openapi.json`);
    const repos = await fetch(`${url}/v1/repos`, { headers: { authorization: `Bearer ${h.operatorToken}` } });
    child.kill('SIGTERM');
    const code = await exited;
    // Assess
    expect(doc.status).toBe(200);
    expect(repos.status).toBe(200);
    expect(await repos.json()).toEqual({ items: [] });
    expect(err).toMatch(/"message":"request".*"status":200/);
    expect(code).toBe(0);
  });

  it('refuses a bad port before doing anything (exit 2)', async () => {
    // Act
    const child = spawn(TSX, [path.join(ROOT, 'scripts/serve-api.ts'), '--env', 'serve', '--port', 'eighty'], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    // Assess
    expect(code).toBe(2);
    expect(err).toContain('INVALID_PORT');
  });
});
