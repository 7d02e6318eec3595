/**
 * `/v1/tasks`: submit a task to an active repository, read it, list, cancel. A Cognito user
 * (admin or operator) or an API key with `tasks:submit`. Only admins see and cancel every task;
 * anyone else sees only the tasks they submitted (another's task is a 404, as if it did not exist).
 */
import { Hono } from 'hono';
import { cancelTask, getTask, listTasks, submitTask, type TaskViewer } from '../../tasks';
import type { Principal } from '../../auth/principal';
import type { ApiDeps } from '../../wiring/api';
import { readJson, requirePermission, type ApiEnv } from '../middleware';

/** Stable identity that scopes idempotency keys: the same user or key, whatever its groups. */
function submitter(p: Principal): string {
  return p.kind === 'user' ? `user:${p.id}` : `key:${p.id}`;
}

function viewer(p: Principal): TaskViewer {
  return { id: submitter(p), admin: p.kind === 'user' && p.groups.includes('admin') };
}

export function tasksRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const allowed = requirePermission(deps.authenticator, 'tasks:submit');

  r.post('/', allowed, async (c) => {
    const { task, created } = await submitTask(deps.tasks, { caller: submitter(c.get('principal')!), input: await readJson(c) });
    // Replays dispatch again too. A dispatch that fails (or is lost) leaves the task SUBMITTED,
    // which the reconciler starts: the task is accepted either way.
    if (task.status === 'SUBMITTED') {
      await deps.taskDispatcher.dispatch(task.task_id).catch((e: unknown) => {
        (c.get('log') ?? deps.log).warn('task dispatch failed; the reconciler will start the task', {
          task_id: task.task_id,
          error: e instanceof Error ? e.message : String(e),
        });
      });
    }
    c.header('Location', `/v1/tasks/${task.task_id}`);
    return c.json(task, created ? 201 : 200);
  });

  r.get('/', allowed, async (c) => {
    const q = c.req.query();
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    return c.json(await listTasks(deps.tasks, { repo: q.repo, status: q.status, limit, next_token: q.next_token }, viewer(c.get('principal')!)));
  });

  r.get('/:id', allowed, async (c) => c.json(await getTask(deps.tasks, c.req.param('id'), viewer(c.get('principal')!))));

  r.post('/:id/cancel', allowed, async (c) => {
    const principal = c.get('principal')!;
    return c.json(await cancelTask(deps.tasks, c.req.param('id'), { caller: submitter(principal), viewer: viewer(principal) }));
  });

  return r;
}
