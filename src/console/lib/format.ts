/** Display helpers: pure, so the unit tests pin what the screens show. */

/** `sha256:abcdef…` → `sha256:abcdef123456` (12 hex): enough to tell digests apart on a projector. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '—';
  const m = /^sha256:([a-f0-9]{12})[a-f0-9]*$/.exec(digest);
  return m ? `sha256:${m[1]}` : digest;
}

/** "3 min ago", "in 2 h": relative to `now`, for times the API gives as ISO strings. */
export function ago(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  const abs = Math.abs(s);
  const unit =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return s >= 0 ? `${unit} ago` : `in ${unit}`;
}

export type Tone = 'ok' | 'bad' | 'busy' | 'neutral';

/** How a status looks: green for done, red for failed, amber while something is still happening. */
export function toneOf(status: string | undefined): Tone {
  switch (status) {
    case 'active':
    case 'COMPLETED':
    case 'succeeded':
    case 'published':
    case 'repaired':
    case 'READY':
      return 'ok';
    case 'failed':
    case 'FAILED':
    case 'rolled_back':
    case 'refused':
      return 'bad';
    case 'provisioning':
    case 'SUBMITTED':
    case 'RUNNING':
    case 'UPDATING':
      return 'busy';
    default:
      return 'neutral';
  }
}

export const TERMINAL_TASK_STATES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Whether a task can still be cancelled (the API refuses a finished one with ILLEGAL_TRANSITION). */
export function cancellable(status: string): boolean {
  return status === 'SUBMITTED' || status === 'RUNNING';
}

function claimsOf(accessToken: string | undefined): Record<string, unknown> {
  const payload = accessToken?.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The groups in an access token (display only: the API verifies the token and decides). */
export function groupsOf(accessToken: string | undefined): string[] {
  const groups = claimsOf(accessToken)['cognito:groups'];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}

/** Who the API records as the submitter of this user's tasks (`user:<username>`, as src/api/routes/tasks.ts does). */
export function submitterOf(accessToken: string | undefined): string {
  const c = claimsOf(accessToken);
  return `user:${typeof c.username === 'string' ? c.username : String(c.sub)}`;
}

/** `owner/repo` → the API path segments, encoded. */
export function repoPath(repo: string): { owner: string; repo: string } {
  const [owner = '', name = ''] = repo.split('/');
  return { owner, repo: name };
}
