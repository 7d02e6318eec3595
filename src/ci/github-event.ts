/**
 * Which commits a GitHub Actions run should compare, from the event that started it
 * (`$GITHUB_EVENT_NAME` and the JSON at `$GITHUB_EVENT_PATH`). Pure: no git, no I/O.
 */

/** `diff`: classify `git diff base...head`; `all`: deploy every layer; `none`: nothing to deploy. */
export type ChangeRange = { kind: 'diff'; base: string; head: string } | { kind: 'all'; reason: string } | { kind: 'none'; reason: string };

const SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;
const NULL_SHA = /^0+$/;

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function sha(v: unknown): string | undefined {
  return typeof v === 'string' && SHA.test(v) ? v : undefined;
}

function pair(base: unknown, head: unknown, what: string): ChangeRange {
  const b = sha(base);
  const h = sha(head);
  if (!b || !h) return { kind: 'all', reason: `${what}: the event does not name both commits` };
  return { kind: 'diff', base: b, head: h };
}

export function changeRangeFromEvent(eventName: string, payload: unknown): ChangeRange {
  const event = obj(payload) ?? {};
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = obj(event.pull_request);
      return pair(obj(pr?.base)?.sha, obj(pr?.head)?.sha, 'pull request');
    }
    case 'merge_group': {
      const group = obj(event.merge_group);
      return pair(group?.base_sha, group?.head_sha, 'merge queue');
    }
    case 'push': {
      if (event.deleted === true) return { kind: 'none', reason: 'branch deleted: nothing to deploy' };
      const before = event.before;
      if (typeof before === 'string' && NULL_SHA.test(before)) {
        return { kind: 'all', reason: 'first push of this branch: no previous commit to compare with' };
      }
      return pair(before, event.after, 'push');
    }
    case 'workflow_dispatch':
      return { kind: 'all', reason: 'manual run (workflow_dispatch)' };
    default:
      return { kind: 'all', reason: `event "${eventName || 'unknown'}" names no change set` };
  }
}
