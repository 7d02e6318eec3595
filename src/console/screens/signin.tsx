/** Sign-in: user name and password (proven with SRP), then a new password on first sign-in. */
import { useState } from 'preact/hooks';
import { ErrorBanner, Field, Progress } from '../components';
import { ProblemError, type Problem } from '../lib/problems';
import { signIn, type ConsoleConfig, type Tokens } from '../session';

export function SignIn({ config, onSignedIn, notice }: { config: ConsoleConfig; onSignedIn: (t: Tokens) => void; notice?: Problem }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [needsNew, setNeedsNew] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(notice);
  const [mismatch, setMismatch] = useState<string>();

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setMismatch(undefined);
    if (needsNew && newPassword !== confirm) {
      setMismatch('the two new passwords differ');
      return;
    }
    setBusy(true);
    try {
      const out = await signIn(config, username.trim(), password, needsNew ? newPassword : undefined);
      if (out.kind === 'new-password-required') setNeedsNew(true);
      else onSignedIn(out.tokens);
    } catch (err) {
      setProblem(err instanceof ProblemError ? err.problem : { status: 0, code: 'ERROR', message: String(err), fields: {} });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <h1>ABCA console</h1>
      <p class="muted">
        Environment <strong>{config.env}</strong>
      </p>
      <form onSubmit={submit} class="card" aria-label="Sign in">
        <h2>{needsNew ? 'Choose a new password' : 'Sign in'}</h2>
        {needsNew && <p>This is your first sign-in with a temporary password: choose your own.</p>}
        <ErrorBanner problem={problem} />
        <Field label="User name" name="username" value={username} onInput={setUsername} autoComplete="username" required />
        <Field
          label={needsNew ? 'Temporary password' : 'Password'}
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="current-password"
          required
        />
        {needsNew && (
          <>
            <Field label="New password" name="new-password" type="password" value={newPassword} onInput={setNewPassword} autoComplete="new-password" required />
            <Field
              label="New password again"
              name="confirm-password"
              type="password"
              value={confirm}
              onInput={setConfirm}
              autoComplete="new-password"
              required
              error={mismatch}
            />
          </>
        )}
        <button type="submit" disabled={busy}>
          {needsNew ? 'Set password and sign in' : 'Sign in'}
        </button>
        {busy && <Progress label="Signing in" />}
      </form>
    </main>
  );
}
