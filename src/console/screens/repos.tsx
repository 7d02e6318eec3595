/** Repositories: list (status filter, paging), onboard, live provisioning, detail with ETag-protected edit, remove and restore. */
import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { must } from '../api';
import type { components } from '../api-types';
import { Badge, ErrorBanner, Field, Notice, Progress, Section, usePoll } from '../components';
import { ago, repoPath } from '../lib/format';
import { problemOf, ProblemError, unplacedFields, type Problem } from '../lib/problems';
import { EMPTY_REPO_FORM, formFromRow, onboardBody, patchBody, type RepoFormValues } from '../lib/repo-form';

type Repo = components['schemas']['RepoConfig'];
const STATUSES = ['', 'provisioning', 'active', 'failed', 'removed'] as const;
const FORM_FIELDS = ['repo', 'model_id', 'max_turns', 'max_budget_usd', 'build_command', 'egress_allowlist'];
const PAGE = 10;

function asProblem(e: unknown): Problem {
  return e instanceof ProblemError ? e.problem : { status: 0, code: 'ERROR', message: String(e), fields: {} };
}

function RepoFields({ v, set, problem, withRepo }: { v: RepoFormValues; set: (v: RepoFormValues) => void; problem?: Problem; withRepo: boolean }) {
  const f = problem?.fields ?? {};
  const egressError = Object.entries(f).find(([k]) => k.startsWith('egress_allowlist'))?.[1];
  return (
    <>
      {withRepo && (
        <Field
          label="Repository (owner/name)"
          name="repo"
          value={v.repo}
          onInput={(x) => set({ ...v, repo: x })}
          error={f.repo}
          required
          placeholder="acme/widgets"
        />
      )}
      <Field
        label="Model id"
        name="model_id"
        value={v.model_id}
        onInput={(x) => set({ ...v, model_id: x })}
        error={f.model_id}
        hint="blank: the platform's default"
      />
      <div class="grid2">
        <Field label="Max turns" name="max_turns" value={v.max_turns} onInput={(x) => set({ ...v, max_turns: x })} error={f.max_turns} type="number" />
        <Field
          label="Max budget (USD)"
          name="max_budget_usd"
          value={v.max_budget_usd}
          onInput={(x) => set({ ...v, max_budget_usd: x })}
          error={f.max_budget_usd}
          type="number"
        />
      </div>
      <Field label="Build command" name="build_command" value={v.build_command} onInput={(x) => set({ ...v, build_command: x })} error={f.build_command} />
      <Field
        label="Egress allowlist"
        name="egress_allowlist"
        value={v.egress_allowlist}
        onInput={(x) => set({ ...v, egress_allowlist: x })}
        error={egressError}
        hint="domains, separated by commas"
      />
    </>
  );
}

function Onboard({ api, onDone }: { api: Api; onDone: (repo: string) => void }) {
  const [v, set] = useState<RepoFormValues>(EMPTY_REPO_FORM);
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const row = await must(api.POST('/v1/repos', { body: onboardBody(v) as components['schemas']['RepoConfigInput'] }));
      set(EMPTY_REPO_FORM);
      onDone(row.repo);
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  };
  const extra = problem ? unplacedFields(problem, FORM_FIELDS).filter(([k]) => !k.startsWith('egress_allowlist')) : [];
  return (
    <form onSubmit={submit} aria-label="Onboard a repository">
      <ErrorBanner problem={problem} extra={extra} />
      <RepoFields v={v} set={set} problem={problem} withRepo />
      <button type="submit" disabled={busy}>
        Onboard
      </button>
      {busy && <Progress label="Onboarding" />}
    </form>
  );
}

function Detail({ api, repo, admin, onClose, onChanged }: { api: Api; repo: string; admin: boolean; onClose: () => void; onChanged: () => void }) {
  const [row, setRow] = useState<Repo>();
  const [etag, setEtag] = useState<string>();
  const [v, set] = useState<RepoFormValues>(EMPTY_REPO_FORM);
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState(false);
  const load = async () => {
    const out = await api.GET('/v1/repos/{owner}/{repo}', { params: { path: repoPath(repo) } });
    if (!out.response.ok) throw new ProblemError(problemOf(out.response.status, out.error));
    setRow(out.data);
    setEtag(out.response.headers.get('ETag') ?? undefined);
    if (!editing && out.data) set(formFromRow(out.data as Record<string, unknown>));
  };
  usePoll(
    async () => {
      try {
        await load();
      } catch (e) {
        setProblem(asProblem(e));
      }
    },
    2000,
    !editing,
  );
  const save = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    try {
      const patch = patchBody(row as Record<string, unknown>, v);
      await must(api.PATCH('/v1/repos/{owner}/{repo}', { params: { path: repoPath(repo), header: { 'If-Match': etag } }, body: patch }));
      setEditing(false);
      setNotice('Saved: the repository is provisioned again with the new settings.');
      onChanged();
    } catch (err) {
      // 412: someone else changed it; show their version and keep the edit for another try.
      setProblem(asProblem(err));
    }
  };
  const remove = async () => {
    setProblem(undefined);
    try {
      await must(api.DELETE('/v1/repos/{owner}/{repo}', { params: { path: repoPath(repo), header: { 'If-Match': etag } } }));
      setNotice('Removed. Onboarding it again restores it.');
      onChanged();
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  const restore = async () => {
    setProblem(undefined);
    try {
      await must(api.POST('/v1/repos', { body: { repo } }));
      setNotice('Restored: provisioning again.');
      onChanged();
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  return (
    <Section
      title={`Repository ${repo}`}
      actions={
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      }
    >
      <ErrorBanner problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      {!row && !problem && <Progress label="Reading the repository" />}
      {row && (
        <>
          <p>
            Status <Badge status={row.status} /> {row.status === 'provisioning' && <Progress label="Provisioning (Cedar policies, secret, egress)" />}
            {row.status_reason && <span class="error"> {row.status_reason}</span>}
          </p>
          <p class="muted">
            version {row.version} · source {row.source} · updated {ago(row.updated_at, Date.now())}
          </p>
          {editing ? (
            <form onSubmit={save} aria-label="Edit repository">
              <RepoFields v={v} set={set} problem={problem} withRepo={false} />
              <button type="submit">Save</button>{' '}
              <button type="button" class="secondary" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <pre class="config" tabIndex={0} aria-label="RepoConfig">
              {JSON.stringify(row, null, 2)}
            </pre>
          )}
          {admin && !editing && (
            <div class="actions">
              {row.status === 'removed' ? (
                <button type="button" onClick={restore}>
                  Restore
                </button>
              ) : (
                <>
                  <button type="button" onClick={() => setEditing(true)} disabled={row.source === 'iac'}>
                    Edit
                  </button>{' '}
                  <button type="button" class="danger" onClick={remove} disabled={row.source === 'iac'}>
                    Remove
                  </button>
                </>
              )}
              {row.source === 'iac' && <p class="muted">Declared in IaC: change it in the stack.</p>}
            </div>
          )}
        </>
      )}
    </Section>
  );
}

export function ReposScreen({ api, admin }: { api: Api; admin: boolean }) {
  const [status, setStatus] = useState<string>('');
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [items, setItems] = useState<Repo[]>();
  const [next, setNext] = useState<string>();
  const [problem, setProblem] = useState<Problem>();
  const [selected, setSelected] = useState<string>();
  const [version, bump] = useState(0);
  const busy = items?.some((r) => r.status === 'provisioning') ?? false;
  usePoll(
    async () => {
      try {
        const query = { limit: PAGE, ...(status ? { status: status as 'active' } : {}), ...(tokens[page] ? { next_token: tokens[page] } : {}) };
        const out = await must(api.GET('/v1/repos', { params: { query } }));
        setItems(out.items);
        setNext(out.next_token);
        setProblem(undefined);
      } catch (e) {
        setProblem(asProblem(e));
      }
    },
    busy ? 1500 : 10_000,
    true,
    `${status}|${page}|${version}`,
  );
  const filter = (s: string) => {
    setStatus(s);
    setTokens([undefined]);
    setPage(0);
    setItems(undefined);
  };
  return (
    <>
      <h1>Repositories</h1>
      {selected && (
        <Detail
          key={selected}
          api={api}
          repo={selected}
          admin={admin}
          onClose={() => setSelected(undefined)}
          onChanged={() => {
            bump((n) => n + 1);
            filter(status);
          }}
        />
      )}
      <Section title="Onboarded">
        <div class="toolbar">
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => filter((e.currentTarget as HTMLSelectElement).value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all but removed'}
              </option>
            ))}
          </select>
        </div>
        <ErrorBanner problem={problem} />
        {!items && !problem && <Progress label="Listing repositories" />}
        {items && items.length === 0 && <p>No repositories{status ? ` with status ${status}` : ''}.</p>}
        {items && items.length > 0 && (
          <table>
            <caption class="sr-only">Repositories</caption>
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">Status</th>
                <th scope="col">Model</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.repo} data-repo={r.repo}>
                  <td>
                    <button type="button" class="link" onClick={() => setSelected(r.repo)}>
                      {r.repo}
                    </button>
                  </td>
                  <td>
                    <Badge status={r.status} />
                    {r.status_reason && <div class="error">{r.status_reason}</div>}
                  </td>
                  <td>{r.model_id ?? '—'}</td>
                  <td>{ago(r.updated_at, Date.now())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="pager">
          <button type="button" class="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>Page {page + 1}</span>
          <button
            type="button"
            class="secondary"
            disabled={!next}
            onClick={() => {
              setTokens([...tokens.slice(0, page + 1), next]);
              setPage(page + 1);
            }}
          >
            Next
          </button>
        </div>
      </Section>
      {admin && (
        <Section title="Onboard a repository">
          <Onboard
            api={api}
            onDone={(repo) => {
              setSelected(repo);
              filter(status);
            }}
          />
        </Section>
      )}
    </>
  );
}
