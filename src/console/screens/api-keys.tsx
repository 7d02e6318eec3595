/** API keys (admins): create (the secret shown once), list, revoke, expiry. */
import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { must } from '../api';
import type { components } from '../api-types';
import { ErrorBanner, Field, Notice, Progress, Section, usePoll } from '../components';
import { ago } from '../lib/format';
import { ProblemError, type Problem } from '../lib/problems';

type ApiKey = components['schemas']['ApiKey'];
const SCOPES = ['repos:read', 'repos:write', 'tasks:submit'] as const;

function asProblem(e: unknown): Problem {
  return e instanceof ProblemError ? e.problem : { status: 0, code: 'ERROR', message: String(e), fields: {} };
}

/** A date input's day (YYYY-MM-DD) as the end of that day in UTC, as the API wants it. */
export function expiryOf(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:59Z` : undefined;
}

export function ApiKeysScreen({ api }: { api: Api }) {
  const [items, setItems] = useState<ApiKey[]>();
  const [problem, setProblem] = useState<Problem>();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['repos:read']);
  const [expiry, setExpiry] = useState('');
  const [created, setCreated] = useState<string>();
  const [version, bump] = useState(0);
  usePoll(
    async () => {
      try {
        setItems((await must(api.GET('/v1/api-keys'))).items);
      } catch (e) {
        setProblem(asProblem(e));
      }
    },
    30_000,
    true,
    String(version),
  );
  const create = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setCreated(undefined);
    try {
      const expires_at = expiryOf(expiry);
      const key = await must(
        api.POST('/v1/api-keys', { body: { name: name.trim(), scopes: scopes as (typeof SCOPES)[number][], ...(expires_at ? { expires_at } : {}) } }),
      );
      setCreated(key.api_key);
      setName('');
      bump((n) => n + 1);
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  const revoke = async (id: string) => {
    setProblem(undefined);
    try {
      await must(api.DELETE('/v1/api-keys/{key_id}', { params: { path: { key_id: id } } }));
      bump((n) => n + 1);
    } catch (err) {
      setProblem(asProblem(err));
    }
  };
  return (
    <>
      <h1>API keys</h1>
      <ErrorBanner problem={problem} />
      <Section title="Create a key">
        <form onSubmit={create} aria-label="Create an API key">
          <Field label="Name" name="key-name" value={name} onInput={setName} error={problem?.fields.name} required />
          <fieldset>
            <legend>Scopes</legend>
            {SCOPES.map((s) => (
              <label key={s} class="check">
                <input
                  type="checkbox"
                  name="scope"
                  value={s}
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes((e.currentTarget as HTMLInputElement).checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                />{' '}
                {s}
              </label>
            ))}
          </fieldset>
          <Field
            label="Expires on (optional)"
            name="key-expiry"
            type="date"
            value={expiry}
            onInput={setExpiry}
            error={problem?.fields.expires_at}
            hint="at most a year ahead"
          />
          <button type="submit">Create key</button>
        </form>
        {created && (
          <Notice>
            <p>Copy this key now: it is never shown again.</p>
            <code class="secret" data-testid="new-api-key" tabIndex={0}>
              {created}
            </code>
          </Notice>
        )}
      </Section>
      <Section title="Keys">
        {!items && !problem && <Progress label="Listing keys" />}
        {items && items.length === 0 && <p>No keys.</p>}
        {items && items.length > 0 && (
          <table>
            <caption class="sr-only">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {items.map((k) => (
                <tr key={k.key_id} data-key={k.key_id}>
                  <td>{k.name}</td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>
                    {ago(k.created_at, Date.now())} by {k.created_by}
                  </td>
                  <td>{k.expires_at ?? 'never'}</td>
                  <td>
                    {k.revoked_at ? (
                      `revoked ${ago(k.revoked_at, Date.now())}`
                    ) : (
                      <button type="button" class="danger" onClick={() => void revoke(k.key_id)} aria-label={`Revoke ${k.name}`}>
                        Revoke
                      </button>
                    )}
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
