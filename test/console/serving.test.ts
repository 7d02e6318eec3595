/**
 * The console as the API serves it (src/api/console.ts) and the read endpoint it needs
 * (GET /v1/environment): same origin, public files and sign-in settings only, a CSP that lets the
 * page talk to this origin and Cognito alone, nothing outside the build folder, and the
 * environment's facts equal to what `bgagent runtime status` computes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Hono } from 'hono';
import { cognitoEndpointFor, consoleFile, consoleRoutes, securityHeaders } from '../../src/api/console';
import type { ApiEnv } from '../../src/api/middleware';
import { openRuntime, runtimeStatus } from '../../src/runtime';
import { useApi } from '../api/support';

const h = useApi({ env: 'consoletest' });

function builtConsole(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-console-dist-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>ABCA console</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

const SIGN_IN = {
  env: 'dev',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_Pool',
  userPoolClientId: 'client',
  cognitoEndpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/',
};

function app(dir: string) {
  const a = new Hono<ApiEnv>();
  a.route('/console', consoleRoutes({ dir, signIn: SIGN_IN }));
  return a;
}

describe('console files', () => {
  const dir = builtConsole();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('redirects /console to console/ (relative, so it works under an API Gateway stage path)', async () => {
    const res = await app(dir).request('/console');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('console/');
  });

  it('serves index.html with a CSP limited to this origin and Cognito, never cached', async () => {
    const res = await app(dir).request('/console/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('ABCA console');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com;");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets with a long immutable cache, and 404 for a missing one', async () => {
    const ok = await app(dir).request('/console/assets/index-abc123.js');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(ok.headers.get('cache-control')).toContain('immutable');
    expect((await app(dir).request('/console/assets/nope.js')).status).toBe(404);
  });

  it('answers the public sign-in settings at config.json', async () => {
    const res = await app(dir).request('/console/config.json');
    expect(await res.json()).toEqual(SIGN_IN);
  });

  it('never serves a file outside the build folder', async () => {
    fs.writeFileSync(path.join(path.dirname(dir), 'abca-console-secret.txt'), 'secret');
    expect(consoleFile(dir, '../abca-console-secret.txt')).toBeUndefined();
    expect(consoleFile(dir, '%2e%2e/abca-console-secret.txt')).toBeUndefined();
    const res = await app(dir).request('/console/..%2fabca-console-secret.txt');
    expect(await res.text()).not.toContain('secret');
    fs.rmSync(path.join(path.dirname(dir), 'abca-console-secret.txt'));
  });

  it('says how to build the console when it is not built (503, not a crash)', async () => {
    const res = await app(path.join(dir, 'missing')).request('/console/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:console');
  });

  it('points the page at the local emulator when the standard variables name one, else at Cognito', () => {
    expect(cognitoEndpointFor('eu-west-1', {})).toBe('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(cognitoEndpointFor('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
    expect(securityHeaders('http://127.0.0.1:5000')['Content-Security-Policy']).toContain("connect-src 'self' http://127.0.0.1:5000;");
  });
});

describe('the API server serves the console', () => {
  it('at /console/config.json with the platform sign-in settings, without credentials', async () => {
    const res = await h().call<Record<string, string>>('GET', '/console/config.json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ env: 'consoletest', userPoolId: h().platform.userPoolId, userPoolClientId: h().platform.userPoolClientId });
    expect(res.body.cognitoEndpoint).toBe(process.env.AWS_ENDPOINT_URL);
  });
});

describe('GET /v1/environment', () => {
  it('refuses a caller without credentials (401)', async () => {
    const res = await h().call<{ error: { code: string } }>('GET', '/v1/environment');
    expect(res.status).toBe(401);
  });

  it("gives an operator what live serves, equal to runtime status's report, and the timeline", async () => {
    const res = await h().call<{ live: { digest: string; version: string }; in_sync: boolean; timeline: { action?: string }[] }>('GET', '/v1/environment', {
      token: h().operatorToken,
    });
    expect(res.status).toBe(200);
    const report = await runtimeStatus(await openRuntime('consoletest', { clients: h().clients }));
    expect(res.body.live.digest).toBe(report.runtime.digest);
    expect(res.body.live.version).toBe(report.runtime.version);
    expect(res.body.in_sync).toBe(report.inSync);
    expect(Array.isArray(res.body.timeline)).toBe(true);
  });
});
