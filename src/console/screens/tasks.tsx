/** Tasks: submit, a live view (progress, heartbeat, outcome), cancel; my tasks, and all tasks for admins. */
import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { must } from '../api';
import type { components } from '../api-types';
import { Badge, ErrorBanner, Field, Progress, Section, usePoll } from '../components';
import { ago, cancellable, TERMINAL_TASK_STATES } from '../lib/format';
import { ProblemError, type Problem } from '../lib/problems';

type Task = components['schemas']['Task'];

function asProblem(e: unknown): Problem {
  return e instanceof ProblemError ? e.problem : { status: 0, code: 'ERROR', message: String(e), fields: {} };
}

/** The outcome's figures when the agent reported them (PR link, turns, cost). */
export function outcomeOf(task: Pick<Task, 'result'>): { pr_url?: string; turns?: number; cost_usd?: number } {
  const r = (task.result ?? {}) as Record<string, unknown>;
  const pr = [r.pr_url, r.pull_request_url].find((x): x is string => typeof x === 'string');
  const turns = [r.turns, r.num_turns].find((x): x is number => typeof x === 'number');
  const cost = [r.cost_usd, r.total_cost_usd].find((x): x is number => typeof x === 'number');
  return { pr_url: pr, turns, cost_usd: cost };
}

function TaskView({ api, id, onChanged }: { api: Api; id: string; onChanged: () => void }) {
  const [task, setTask] = useState<Task>();
  const [problem, setProblem] = useState<Problem>();
  const [cancelling, setCancelling] = useState(false);
  const done = task ? TERMINAL_TASK_STATES.includes(task.status) : false;
  usePoll(
    async () => {
      try {
        setTask(await must(api.GET('/v1/tasks/{id}', { params: { path: { id } } })));
      } catch (e) {
        setProblem(asProblem(e));
      }
    },
    1000,
    !done,
  );
  const cancel = async () => {
    setCancelling(true);
    setProblem(undefined);
    try {
      setTask(await must(api.POST('/v1/tasks/{id}/cancel', { params: { path: { id } } })));
      onChanged();
    } catch (e) {
      setProblem(asProblem(e));
    } finally {
      setCancelling(false);
    }
  };
  const out = task ? outcomeOf(task) : {};
  const now = Date.now();
  return (
    <Section title={`Task ${id}`}>
      <ErrorBanner problem={problem} />
      {!task && !problem && <Progress label="Reading the task" />}
      {task && (
        <div data-task={task.task_id}>
          <p>
            <Badge status={task.status} /> on <strong>{task.repo}</strong>: {task.description}
          </p>
          {!done && <Progress label={task.status === 'SUBMITTED' ? 'Starting the agent' : 'The agent is working'} />}
          <dl>
            <dt>Progress</dt>
            <dd data-testid="task-progress">{task.progress ?? '—'}</dd>
            <dt>Last heartbeat</dt>
            <dd>{task.heartbeat_at ? ago(task.heartbeat_at, now) : '—'}</dd>
            <dt>Runtime</dt>
            <dd>{task.runtime_qualifier ? `${task.runtime_qualifier}` : '—'}</dd>
            {task.status_reason && (
              <>
                <dt>Reason</dt>
                <dd>{task.status_reason}</dd>
              </>
            )}
            {done && (
              <>
                <dt>Pull request</dt>
                <dd>{out.pr_url ? <a href={out.pr_url}>{out.pr_url}</a> : '—'}</dd>
                <dt>Turns</dt>
                <dd>{out.turns ?? '—'}</dd>
                <dt>Cost</dt>
                <dd>{out.cost_usd === undefined ? '—' : `$${out.cost_usd.toFixed(2)}`}</dd>
              </>
            )}
          </dl>
          {cancellable(task.status) && (
            <button type="button" class="danger" onClick={cancel} disabled={cancelling}>
              Cancel task
            </button>
          )}
        </div>
      )}
    </Section>
  );
}

export function TasksScreen({ api, admin, me }: { api: Api; admin: boolean; me: string }) {
  const [repo, setRepo] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [listProblem, setListProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [scope, setScope] = useState<'mine' | 'all'>('mine');
  const [items, setItems] = useState<Task[]>();
  const [version, bump] = useState(0);
  const running = items?.some((t) => !TERMINAL_TASK_STATES.includes(t.status)) ?? false;
  usePoll(
    async () => {
      try {
        const out = await must(api.GET('/v1/tasks', { params: { query: { limit: 25 } } }));
        // Admins see every task from the API; "my tasks" keeps their own.
        setItems(scope === 'mine' ? out.items.filter((t) => !t.submitted_by || t.submitted_by === me) : out.items);
        setListProblem(undefined);
      } catch (e) {
        setListProblem(asProblem(e));
      }
    },
    running ? 2000 : 10_000,
    true,
    `${scope}|${version}`,
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const task = await must(api.POST('/v1/tasks', { body: { repo: repo.trim(), description } }));
      setDescription('');
      setSelected(task.task_id);
      bump((n) => n + 1);
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Tasks</h1>
      <Section title="Submit a task">
        <form onSubmit={submit} aria-label="Submit a task">
          <ErrorBanner problem={problem} />
          <Field
            label="Repository (owner/name)"
            name="task-repo"
            value={repo}
            onInput={setRepo}
            error={problem?.fields.repo}
            required
            placeholder="acme/widgets"
          />
          <Field
            label="Description"
            name="task-description"
            value={description}
            onInput={setDescription}
            error={problem?.fields.description}
            required
            multiline
          />
          <button type="submit" disabled={busy}>
            Submit
          </button>
          {busy && <Progress label="Submitting" />}
        </form>
      </Section>
      {selected && <TaskView key={selected} api={api} id={selected} onChanged={() => bump((n) => n + 1)} />}
      <Section
        title={scope === 'all' ? 'All tasks' : 'My tasks'}
        actions={
          admin && (
            <div role="group" aria-label="Which tasks" class="toggle">
              <button type="button" aria-pressed={scope === 'mine'} onClick={() => setScope('mine')}>
                My tasks
              </button>
              <button type="button" aria-pressed={scope === 'all'} onClick={() => setScope('all')}>
                All tasks
              </button>
            </div>
          )
        }
      >
        <ErrorBanner problem={listProblem} />
        {!items && !listProblem && <Progress label="Listing tasks" />}
        {items && items.length === 0 && <p>No tasks yet.</p>}
        {items && items.length > 0 && (
          <table>
            <caption class="sr-only">Tasks</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Repository</th>
                <th scope="col">Status</th>
                <th scope="col">Submitted</th>
                {scope === 'all' && <th scope="col">By</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.task_id} data-task-row={t.task_id}>
                  <td>
                    <button type="button" class="link" onClick={() => setSelected(t.task_id)}>
                      {t.description.length > 60 ? `${t.description.slice(0, 60)}…` : t.description}
                    </button>
                  </td>
                  <td>{t.repo}</td>
                  <td>
                    <Badge status={t.status} />
                  </td>
                  <td>{ago(t.created_at, Date.now())}</td>
                  {scope === 'all' && <td>{t.submitted_by ?? '—'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
