/** Users (admins): invite participants (temporary password shown once), list, reset a password, remove. */
import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { must } from '../api';
import type { components } from '../api-types';
import { Badge, ErrorBanner, Field, Notice, Progress, Section, usePoll } from '../components';
import { ProblemError, type Problem } from '../lib/problems';

type User = components['schemas']['User'];

function asProblem(e: unknown): Problem {
  return e instanceof ProblemError ? e.problem : { status: 0, code: 'ERROR', message: String(e), fields: {} };
}

export function UsersScreen({ api }: { api: Api }) {
  const [items, setItems] = useState<User[]>();
  const [problem, setProblem] = useState<Problem>();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [group, setGroup] = useState<'operator' | 'admin'>('operator');
  const [secret, setSecret] = useState<{ username: string; password: string }>();
  const [version, bump] = useState(0);
  usePoll(
    async () => {
      try {
        setItems((await must(api.GET('/v1/users'))).items);
      } catch (e) {
        setProblem(asProblem(e));
      }
    },
    30_000,
    true,
    String(version),
  );
  const invite = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setSecret(undefined);
    try {
      const out = await must(api.POST('/v1/users', { body: { username: username.trim(), group, ...(email.trim() ? { email: email.trim() } : {}) } }));
      setSecret({ username: out.username, password: out.temporary_password });
      setUsername('');
      setEmail('');
      bump((n) => n + 1);
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  const reset = async (name: string) => {
    setProblem(undefined);
    try {
      const out = await must(api.POST('/v1/users/{username}/reset-password', { params: { path: { username: name } } }));
      setSecret({ username: out.username, password: out.temporary_password });
      bump((n) => n + 1);
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  const remove = async (name: string) => {
    setProblem(undefined);
    try {
      await must(api.DELETE('/v1/users/{username}', { params: { path: { username: name } } }));
      bump((n) => n + 1);
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  return (
    <>
      <h1>Users</h1>
      <ErrorBanner problem={problem} />
      <Section title="Invite a participant">
        <form onSubmit={invite} aria-label="Invite a user">
          <Field label="User name" name="invite-username" value={username} onInput={setUsername} error={problem?.fields.username} required />
          <Field label="E-mail (optional)" name="invite-email" value={email} onInput={setEmail} error={problem?.fields.email} />
          <div class="field">
            <label for="invite-group">Group</label>
            <select id="invite-group" value={group} onChange={(e) => setGroup((e.currentTarget as HTMLSelectElement).value as 'operator' | 'admin')}>
              <option value="operator">operator (onboarded repositories, tasks)</option>
              <option value="admin">admin (everything)</option>
            </select>
          </div>
          <button type="submit">Invite</button>
        </form>
        {secret && (
          <Notice>
            <p>
              Temporary password for <strong>{secret.username}</strong>, shown once: they choose their own at first sign-in.
            </p>
            <code class="secret" data-testid="temporary-password" tabIndex={0}>
              {secret.password}
            </code>
          </Notice>
        )}
      </Section>
      <Section title="Users">
        {!items && !problem && <Progress label="Listing users" />}
        {items && (
          <table>
            <caption class="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.username} data-user={u.username}>
                  <td>
                    {u.username}
                    {u.email && <div class="muted">{u.email}</div>}
                  </td>
                  <td>{u.groups.join(', ') || '—'}</td>
                  <td>
                    <Badge status={u.status} />
                  </td>
                  <td class="actions">
                    <button type="button" class="secondary" onClick={() => void reset(u.username)} aria-label={`Reset password for ${u.username}`}>
                      Reset password
                    </button>
                    <button type="button" class="danger" onClick={() => void remove(u.username)} aria-label={`Remove ${u.username}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
