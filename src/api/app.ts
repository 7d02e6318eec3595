/**
 * The HTTP app: one Hono app for the Lambda adapter (lambda.ts) and the local Node server
 * (server.ts). Every router is mounted here under `/v1` (repos, api-keys, tasks), each checking
 * its own permission with `requirePermission` from middleware.ts; errors become the catalogue's
 * HTTP statuses in `onError`.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiDeps } from '../wiring/api';
import { codedBody, errorBody, httpStatusOf } from './http-errors';
import { limitBody, requestContext, type ApiEnv } from './middleware';
import { consoleRoutes, type ConsoleOptions } from './console';
import { openApiDocument } from './openapi';
import { apiKeysRoutes } from './routes/api-keys';
import { environmentRoutes } from './routes/environment';
import { usersRoutes } from './routes/users';
import { reposRoutes } from './routes/repos';
import { tasksRoutes } from './routes/tasks';

export type ApiApp = Hono<ApiEnv>;

export interface CreateAppOptions {
  /** More routers under `/v1`, keyed by path (e.g. `{ '/extra': router }`), mounted after the built-in ones. */
  routers?: Record<string, Hono<ApiEnv>>;
  /** Serve the workshop console at /console (src/api/console.ts). */
  console?: ConsoleOptions;
}

export function createApp(deps: ApiDeps, opts: CreateAppOptions = {}): ApiApp {
  const app = new Hono<ApiEnv>();
  app.use('*', requestContext(deps.log));
  app.use('*', limitBody);

  app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));
  app.route('/v1/repos', reposRoutes(deps));
  app.route('/v1/api-keys', apiKeysRoutes(deps));
  app.route('/v1/tasks', tasksRoutes(deps));
  app.route('/v1/environment', environmentRoutes(deps));
  app.route('/v1/users', usersRoutes(deps));
  if (opts.console) app.route('/console', consoleRoutes(opts.console));
  for (const [path, router] of Object.entries(opts.routers ?? {})) app.route(`/v1${path}`, router);

  app.notFound((c) => c.json(codedBody('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((e, c) => {
    if (e instanceof HTTPException) {
      const status = e.status as ContentfulStatusCode;
      return c.json(codedBody(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', e.message || 'bad request'), status);
    }
    const status = httpStatusOf(e);
    const log = c.get('log') ?? deps.log;
    if (status >= 500) log.error('request failed', e as Error);
    return c.json(errorBody(e), status);
  });
  return app;
}
