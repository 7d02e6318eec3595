/**
 * Cross-cutting request handling: a request id and a child logger per request, one access-log
 * line (never headers or bodies), the body size limit, JSON reading, and authentication with a
 * permission check that any router (repos, api-keys, later tasks) can put in front of a route.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { assertPermission, type Authenticator } from '../auth/authenticate';
import { actorOf, type Permission, type Principal } from '../auth/principal';
import { ValidationError } from '../errors';
import type { Caller } from '../repos/service';
import { errorBody, PayloadTooLargeError } from './http-errors';

/** Largest accepted body: a RepoConfig at its limits (20 Cedar policies of 10 kB, a 16 kB prompt) fits. */
export const MAX_BODY_BYTES = 256 * 1024;

export type ApiEnv = {
  Variables: { requestId: string; log: Logger; principal?: Principal };
  Bindings: { event?: { requestContext?: { requestId?: string } }; lambdaContext?: { awsRequestId?: string } };
};

export function requestContext(root: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const requestId = c.env?.event?.requestContext?.requestId ?? c.env?.lambdaContext?.awsRequestId ?? randomUUID();
    const log = root.createChild({ persistentKeys: { request_id: requestId } });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = performance.now();
    c.header('X-Request-Id', requestId);
    await next();
    if (!c.res.headers.has('X-Request-Id')) c.res.headers.set('X-Request-Id', requestId);
    const principal = c.get('principal');
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...(principal ? { actor: actorOf(principal) } : {}),
    });
  };
}

export const limitBody: MiddlewareHandler<ApiEnv> = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json(errorBody(new PayloadTooLargeError(`request body is larger than ${MAX_BODY_BYTES} bytes`)), 413),
});

/** The body as JSON. The parser's message is not echoed: it quotes the input, which may hold a token. */
export async function readJson(c: Context<ApiEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) throw new ValidationError('request body must be a JSON document', 'INVALID_JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('request body is not valid JSON', 'INVALID_JSON');
  }
}

/** Authenticates (once per request) and requires one permission: 401 without credentials, 403 without the permission. */
export function requirePermission(authenticator: Authenticator, permission: Permission): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    let principal = c.get('principal');
    if (!principal) {
      principal = await authenticator.authenticate({ authorization: c.req.header('authorization'), apiKey: c.req.header('x-api-key') });
      c.set('principal', principal);
    }
    assertPermission(principal, permission);
    await next();
  };
}

/** The authenticated caller, for the audit trail. */
export function callerOf(c: Context<ApiEnv>): Caller {
  const principal = c.get('principal');
  return { actor: principal ? actorOf(principal) : 'anonymous', requestId: c.get('requestId') };
}
