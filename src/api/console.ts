/**
 * `/console`: the workshop console's files (built by `npm run build:console` into dist/console,
 * copied into the API Lambda's bundle) and its public sign-in settings, served by the API itself so
 * the page and /v1 share one origin (no CORS) locally and behind API Gateway. No credentials are
 * needed to load the page; everything it shows comes from /v1 with the signed-in user's token.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Hono } from 'hono';
import type { ApiEnv } from './middleware';

export interface ConsoleOptions {
  /** Folder with index.html and assets/ (vite's output). */
  dir: string;
  /** What the page needs to sign in: public values (the platform document has them all). */
  signIn: ConsoleSignIn;
}

export interface ConsoleSignIn {
  env: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Where the page sends InitiateAuth and friends: Cognito's regional endpoint, or the local emulator. */
  cognitoEndpoint: string;
}

/** Cognito's public endpoint for the page: the emulator's when the standard variables name one (local mode), else AWS's. */
export function cognitoEndpointFor(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || env.AWS_ENDPOINT_URL || `https://cognito-idp.${region}.amazonaws.com/`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The page may talk to this origin and Cognito only, and may not be framed. */
export function securityHeaders(cognitoEndpoint: string): Record<string, string> {
  const cognito = new URL(cognitoEndpoint).origin;
  return {
    'Content-Security-Policy': `default-src 'self'; connect-src 'self' ${cognito}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** A file under `dir` for a request path, or undefined (never outside `dir`). */
export function consoleFile(dir: string, requestPath: string): string | undefined {
  const rel = decodeURIComponent(requestPath).replace(/^\/+/, '');
  const file = path.resolve(dir, rel);
  if (file !== dir && !file.startsWith(dir + path.sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function consoleRoutes(opts: ConsoleOptions): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const dir = path.resolve(opts.dir);
  const headers = securityHeaders(opts.signIn.cognitoEndpoint);
  const send = (file: string, cache: string) =>
    new Response(readFileSync(file), {
      headers: { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache, ...headers },
    });
  const index = () => {
    const file = consoleFile(dir, 'index.html');
    if (!file) {
      return new Response('The console is not built: run "npm run build:console" (npm run dev builds it).\n', {
        status: 503,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
      });
    }
    return send(file, 'no-cache');
  };

  // Relative redirect: behind API Gateway the page lives under the stage's path (/<stage>/console/).
  r.get('/', (c) => (c.req.path.endsWith('/') ? index() : c.redirect('console/', 302)));
  r.get('/config.json', (c) => c.json(opts.signIn, 200, { 'Cache-Control': 'no-cache', ...headers }));
  r.get('/*', (c) => {
    const rel = c.req.path.replace(/^.*?\/console\//, '');
    const file = consoleFile(dir, rel);
    // Hashed asset names never change content: cache them for good.
    if (file) return send(file, rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (rel.startsWith('assets/')) return c.text('not found', 404);
    return index();
  });
  return r;
}
