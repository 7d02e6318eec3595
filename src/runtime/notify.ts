/**
 * Release notifications: a GitHub Deployment with a status per environment (when run in GitHub
 * Actions with a token; GITHUB_API_URL honoured, so a local receiver can stand in), and a
 * Slack-compatible webhook whose URL is read from the secret the release policy names. Each
 * delivery is retried a bounded number of times and never fails the release: the result says
 * what was delivered. The requests are built by pure functions; `notifyRelease` only sends them.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describeError } from '../errors';
import type { ReleasePolicy } from '../platform/release-policy';
import type { RuntimeContext } from './context';

export type ReleaseEventKind = 'publish' | 'rollback' | 'promote' | 'bake_breach' | 'hold';

export interface ReleaseEvent {
  kind: ReleaseEventKind;
  env: string;
  ok: boolean;
  digest: string;
  version?: string;
  /** One line: what happened and why. */
  summary: string;
}

export interface HttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface GithubContext {
  apiUrl: string;
  repository: string;
  sha: string;
  token: string;
  runUrl?: string;
}

/** Pure: GitHub Actions with a token, or nothing (a local run notifies no deployment). */
export function githubContext(env: NodeJS.ProcessEnv): GithubContext | undefined {
  const token = env.GITHUB_TOKEN;
  if (env.GITHUB_ACTIONS !== 'true' || !token || !env.GITHUB_REPOSITORY || !env.GITHUB_SHA) return undefined;
  const runUrl = env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return {
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    repository: env.GITHUB_REPOSITORY,
    sha: env.GITHUB_SHA,
    token,
    ...(runUrl ? { runUrl } : {}),
  };
}

const githubHeaders = (gh: GithubContext) => ({
  authorization: `Bearer ${gh.token}`,
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  'content-type': 'application/json',
});

/** Pure: POST /repos/{repo}/deployments for this environment (no auto-merge, no required contexts: the release already ran). */
export function deploymentRequest(gh: GithubContext, e: ReleaseEvent): HttpRequest {
  return {
    method: 'POST',
    url: `${gh.apiUrl}/repos/${gh.repository}/deployments`,
    headers: githubHeaders(gh),
    body: {
      ref: gh.sha,
      environment: e.env,
      task: `abca:${e.kind}`,
      auto_merge: false,
      required_contexts: [],
      description: e.summary.slice(0, 140),
      payload: { digest: e.digest, ...(e.version ? { runtime_version: e.version } : {}) },
    },
  };
}

/** Pure: POST …/deployments/{id}/statuses: success or failure, with the run as its log. */
export function deploymentStatusRequest(gh: GithubContext, deploymentId: number, e: ReleaseEvent): HttpRequest {
  return {
    method: 'POST',
    url: `${gh.apiUrl}/repos/${gh.repository}/deployments/${deploymentId}/statuses`,
    headers: githubHeaders(gh),
    body: { state: e.ok ? 'success' : 'failure', environment: e.env, description: e.summary.slice(0, 140), ...(gh.runUrl ? { log_url: gh.runUrl } : {}) },
  };
}

/** Pure: a Slack-compatible incoming-webhook message. */
export function webhookRequest(url: string, e: ReleaseEvent): HttpRequest {
  const icon = e.ok ? ':white_check_mark:' : ':rotating_light:';
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: {
      text: `${icon} ABCA ${e.env}: ${e.kind} ${e.ok ? 'succeeded' : 'failed'}: ${e.summary} (${e.digest.slice(0, 19)}…${e.version ? `, version ${e.version}` : ''})`,
    },
  };
}

export interface Delivery {
  target: 'github' | 'webhook';
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface NotifyOptions {
  attempts?: number;
  backoffMs?: number;
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
}

/** Sends with bounded retries (5xx, 429 and network errors are retried); never throws. */
async function send(
  req: HttpRequest,
  opts: Required<Pick<NotifyOptions, 'attempts' | 'backoffMs'>> & { fetch: typeof fetch },
): Promise<{ ok: boolean; attempts: number; json?: unknown; error?: string }> {
  let error = '';
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      const res = await opts.fetch(req.url, { method: req.method, headers: req.headers, body: JSON.stringify(req.body), signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (res.ok) return { ok: true, attempts: attempt, json: text ? (JSON.parse(text) as unknown) : undefined };
      error = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) return { ok: false, attempts: attempt, error };
    } catch (e) {
      error = describeError(e);
    }
    if (attempt < opts.attempts) await new Promise((r) => setTimeout(r, opts.backoffMs * attempt));
  }
  return { ok: false, attempts: opts.attempts, error };
}

/** Notifies every target the policy and the environment name; logs and returns what was delivered. */
export async function notifyRelease(ctx: RuntimeContext, policy: ReleasePolicy, event: ReleaseEvent, opts: NotifyOptions = {}): Promise<Delivery[]> {
  const how = { attempts: opts.attempts ?? 3, backoffMs: opts.backoffMs ?? 500, fetch: opts.fetch ?? fetch };
  const deliveries: Delivery[] = [];
  const gh = policy.notifications.github_deployments ? githubContext(opts.env ?? process.env) : undefined;
  if (gh) {
    const created = await send(deploymentRequest(gh, event), how);
    const id = (created.json as { id?: unknown } | undefined)?.id;
    const status = created.ok && typeof id === 'number' ? await send(deploymentStatusRequest(gh, id, event), how) : undefined;
    deliveries.push({
      target: 'github',
      ok: !!status?.ok,
      attempts: created.attempts + (status?.attempts ?? 0),
      ...(status?.ok ? {} : { error: status?.error ?? created.error ?? 'no deployment id in the answer' }),
    });
  }
  const secretArn = policy.notifications.webhook_secret_arn;
  if (secretArn) {
    let url: string | undefined;
    try {
      url = (await ctx.clients.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString?.trim();
    } catch (e) {
      deliveries.push({ target: 'webhook', ok: false, attempts: 0, error: `cannot read ${secretArn}: ${describeError(e)}` });
    }
    if (url) {
      const sent = await send(webhookRequest(url, event), how);
      deliveries.push({ target: 'webhook', ok: sent.ok, attempts: sent.attempts, ...(sent.error && !sent.ok ? { error: sent.error } : {}) });
    }
  }
  // The webhook URL is a secret: only the target's name is ever logged.
  for (const d of deliveries) ctx.log(`notify ${d.target}: ${d.ok ? 'delivered' : `not delivered (${d.error}); the release is unaffected`}`);
  return deliveries;
}
