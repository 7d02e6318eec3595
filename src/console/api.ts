/**
 * The page's only way to the API: openapi-fetch over the types generated from /v1/openapi.json
 * (api-types.ts), with the session's bearer token, one silent refresh and retry on a 401, and
 * every error turned into a Problem (the API's code and message).
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api-types';
import { problemOf, ProblemError } from './lib/problems';
import type { Session } from './session';

export type Api = ReturnType<typeof createClient<paths>>;

/** The API's base: the page lives at <base>/console/, the API at <base>/v1 (same origin, same stage). */
export function apiBase(href: string): string {
  const url = new URL('../', href);
  return url.href.replace(/\/$/, '');
}

export function createApi(session: Session, base = apiBase(location.href)): Api {
  const api = createClient<paths>({ baseUrl: base });
  const retries = new WeakSet<Request>();
  const auth: Middleware = {
    async onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${await session.accessToken()}`);
      return request;
    },
    async onResponse({ request, response }) {
      // A token revoked or expired early: refresh once and try again.
      if (response.status !== 401 || retries.has(request)) return response;
      await session.renew();
      // A body is read once: only reads are replayed; a write shows its 401 and the next one has the new token.
      if (request.method !== 'GET') return response;
      const again = new Request(request, { headers: new Headers(request.headers) });
      again.headers.set('Authorization', `Bearer ${session.tokens.accessToken}`);
      retries.add(again);
      return fetch(again);
    },
  };
  api.use(auth);
  return api;
}

/** The data of an openapi-fetch answer, or a ProblemError with the API's code and message. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let out: { data?: T; error?: unknown; response: Response };
  try {
    out = await call;
  } catch (e) {
    if (e instanceof ProblemError) throw e;
    throw new ProblemError(problemOf(0, undefined));
  }
  if (out.error !== undefined || !out.response.ok) throw new ProblemError(problemOf(out.response.status, out.error));
  return out.data as T;
}
