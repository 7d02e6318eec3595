/**
 * A thin, typed client of the ABCA HTTP API (`<apiUrl>/v1/...`). Every non-2xx answer becomes an
 * ApiError carrying the API's own `code`, the HTTP status and the exit code the catalogue declares
 * for that code (or, for a code it does not know, the one the status maps to).
 */
import { exitCodeOfCode, isErrorCode } from '../error-codes';
import { AbcaError, type ErrorCode, type ExitCode, type Fault } from '../errors';
import type { RepoHistoryEntry } from '../repos/history';
import type { RepoConfig, RepoConfigInput, RepoConfigPatch, RepoSettings, RepoStatus } from '../repos/repo-config';

/** 409 and 412 are conflicts (3); other 4xx are the caller's input or identity (2); the rest fail (1). */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 409 || status === 412) return 3;
  if (status === 408 || status === 429) return 1;
  if (status >= 400 && status < 500) return 2;
  return 1;
}

const DEFAULT_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'UNPROCESSABLE',
  429: 'THROTTLED',
};

export class ApiError extends AbcaError {
  readonly code: string;
  readonly status: number;
  readonly exitCode: ExitCode;
  readonly fault: Fault;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message, { status, ...details });
    this.status = status;
    this.code = code;
    this.exitCode = isErrorCode(code) ? exitCodeOfCode(code) : status === 0 ? 1 : exitCodeForStatus(status);
    this.fault = this.exitCode === 1 ? 'tool' : 'user';
  }
}

/** Pure: the error an answer stands for, from `{"error":{"code","message"}}` or whatever came instead. */
export function errorFromResponse(status: number, body: unknown, text: string): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (err && typeof err === 'object') {
    const { code, message, ...rest } = err as Record<string, unknown>;
    return new ApiError(
      status,
      typeof code === 'string' && code ? code : (DEFAULT_CODES[status] ?? `HTTP_${status}`),
      typeof message === 'string' && message ? message : `HTTP ${status}`,
      Object.keys(rest).length ? rest : undefined,
    );
  }
  // API Gateway's own answers ({"message": "Unauthorized"}) and proxies' HTML pages.
  const gwMessage = (body as { message?: unknown } | undefined)?.message;
  const message = typeof gwMessage === 'string' && gwMessage ? gwMessage : text.trim().split('\n')[0]?.slice(0, 200) || `HTTP ${status}`;
  return new ApiError(status, DEFAULT_CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : `HTTP_${status}`), message);
}

export type RepoRow = RepoConfig & { status_reason?: string };
export type RepoHistoryPage = { repo: string; items: RepoHistoryEntry[]; next_token?: string };
export interface Page<T> {
  items: T[];
  next_token?: string;
}
export type ApiKeyScope = 'repos:read' | 'repos:write' | 'tasks:submit';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['repos:read', 'repos:write', 'tasks:submit'];
export interface ApiKeyInfo {
  key_id: string;
  name: string;
  scopes: ApiKeyScope[];
  created_at: string;
  [field: string]: unknown;
}
export type CreatedApiKey = ApiKeyInfo & { api_key: string };

export const TASK_STATES = ['SUBMITTED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TERMINAL_TASK_STATES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export interface Task {
  task_id: string;
  repo: string;
  status: TaskState | string;
  description?: string;
  created_at?: string;
  updated_at?: string;
  [field: string]: unknown;
}
export interface TaskInput {
  repo: string;
  description: string;
  idempotency_key?: string;
}

export interface Answer<T> {
  status: number;
  body: T;
  etag?: string;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** Headers that authenticate a request (Bearer token or X-Api-Key). */
  auth: () => Promise<Record<string, string>>;
  /** Called once on a 401: new headers to retry with (e.g. after a token refresh), or undefined. */
  reauth?: () => Promise<Record<string, string> | undefined>;
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

export function repoPath(repo: string): string {
  const [owner, name] = repo.split('/');
  return `/v1/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`;
}

export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  url(pathname: string, query: Query = {}): string {
    const url = new URL(this.opts.baseUrl.replace(/\/+$/, '') + pathname);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T>(method: string, pathname: string, opts: { body?: unknown; query?: Query; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const url = this.url(pathname, opts.query);
    const send = async (auth: Record<string, string>) => {
      try {
        return await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...auth,
            ...opts.headers,
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why =
          (e as Error).name === 'TimeoutError'
            ? `no answer within ${this.opts.timeoutMs ?? 30_000} ms`
            : (cause?.code ?? cause?.message ?? (e as Error).message);
        throw new ApiError(0, 'NETWORK', `cannot reach the API at ${new URL(url).origin}: ${why}`);
      }
    };
    let res = await send(await this.opts.auth());
    if (res.status === 401 && this.opts.reauth) {
      const again = await this.opts.reauth();
      if (again) res = await send(again);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) throw errorFromResponse(res.status, body, text);
    return { status: res.status, body: body as T, etag: res.headers.get('etag') ?? undefined };
  }

  // Repositories
  listRepos(q: { status?: RepoStatus | string; limit?: number; next_token?: string } = {}) {
    return this.request<Page<RepoRow>>('GET', '/v1/repos', { query: q }).then((a) => a.body);
  }
  getRepo(repo: string) {
    return this.request<RepoRow>('GET', repoPath(repo));
  }
  onboardRepo(input: RepoConfigInput) {
    return this.request<RepoRow>('POST', '/v1/repos', { body: input });
  }
  updateRepo(repo: string, patch: RepoSettings | RepoConfigPatch, ifMatch: string) {
    return this.request<RepoRow>('PATCH', repoPath(repo), { body: patch, headers: { 'if-match': ifMatch } });
  }
  removeRepo(repo: string) {
    return this.request<RepoRow>('DELETE', repoPath(repo)).then((a) => a.body);
  }
  repoHistory(repo: string, q: { limit?: number; next_token?: string } = {}) {
    return this.request<RepoHistoryPage>('GET', `${repoPath(repo)}/history`, { query: q }).then((a) => a.body);
  }
  setGithubToken(repo: string, token: string) {
    return this.request<Record<string, unknown> | undefined>('PUT', `${repoPath(repo)}/github-token`, { body: { token } }).then((a) => a.body);
  }

  // API keys
  createApiKey(name: string, scopes: ApiKeyScope[]) {
    return this.request<CreatedApiKey>('POST', '/v1/api-keys', { body: { name, scopes } }).then((a) => a.body);
  }
  listApiKeys() {
    return this.request<Page<ApiKeyInfo>>('GET', '/v1/api-keys').then((a) => a.body);
  }
  revokeApiKey(keyId: string) {
    return this.request<Record<string, unknown> | undefined>('DELETE', `/v1/api-keys/${encodeURIComponent(keyId)}`).then((a) => a.body);
  }

  // Tasks
  submitTask(input: TaskInput) {
    return this.request<Task>('POST', '/v1/tasks', { body: input }).then((a) => a.body);
  }
  getTask(id: string) {
    return this.request<Task>('GET', `/v1/tasks/${encodeURIComponent(id)}`).then((a) => a.body);
  }
  cancelTask(id: string) {
    return this.request<Task>('POST', `/v1/tasks/${encodeURIComponent(id)}/cancel`).then((a) => a.body);
  }
  listTasks(q: { repo?: string; status?: string; limit?: number; next_token?: string } = {}) {
    return this.request<Page<Task>>('GET', '/v1/tasks', { query: q }).then((a) => a.body);
  }
}
