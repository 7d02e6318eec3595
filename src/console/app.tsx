/**
 * The console's shell: configuration, the session, navigation between the screens (hash routes,
 * so a reload keeps the screen), light and dark themes. Admin-only screens and actions are hidden
 * from operators; the API refuses them anyway.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api';
import { ErrorBanner, Progress } from './components';
import { groupsOf, submitterOf } from './lib/format';
import { ProblemError, type Problem } from './lib/problems';
import { ApiKeysScreen } from './screens/api-keys';
import { EnvironmentScreen } from './screens/environment';
import { ReposScreen } from './screens/repos';
import { SignIn } from './screens/signin';
import { TasksScreen } from './screens/tasks';
import { UsersScreen } from './screens/users';
import { restore, Session, signOut, type ConsoleConfig, type Tokens } from './session';

export const SCREENS = [
  { id: 'environment', label: 'Environment', admin: false },
  { id: 'repos', label: 'Repositories', admin: false },
  { id: 'tasks', label: 'Tasks', admin: false },
  { id: 'api-keys', label: 'API keys', admin: true },
  { id: 'users', label: 'Users', admin: true },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

function routeOf(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '');
  return (SCREENS.find((s) => s.id === id)?.id ?? 'environment') as ScreenId;
}

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(
    () => localStorage.getItem('abca.console.theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('abca.console.theme', theme);
  }, [theme]);
  return [theme, () => setTheme(theme === 'dark' ? 'light' : 'dark')];
}

export function App({ configUrl = './config.json' }: { configUrl?: string }) {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [problem, setProblem] = useState<Problem>();
  const [signOutProblem, setSignOutProblem] = useState<Problem>();
  const [tokens, setTokens] = useState<Tokens | undefined>(() => restore());
  const [route, setRoute] = useState<ScreenId>(() => routeOf(location.hash));
  const [theme, toggleTheme] = useTheme();

  useEffect(() => {
    fetch(configUrl)
      .then(async (r) => {
        if (!r.ok) throw new Error(`config.json answered ${r.status}`);
        setConfig((await r.json()) as ConsoleConfig);
      })
      .catch((e: unknown) => setProblem({ status: 0, code: 'CONFIG_UNAVAILABLE', message: `the console cannot read its settings: ${String(e)}`, fields: {} }));
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [configUrl]);

  const session = useMemo(() => (config && tokens ? new Session(config, tokens, () => setTokens(undefined)) : undefined), [config, tokens?.username]);
  const api = useMemo(() => (session ? createApi(session) : undefined), [session]);

  // Silent refresh: renew a minute before the access token lapses, while the tab is open.
  useEffect(() => {
    if (!session) return;
    const t = setInterval(() => void session.accessToken().catch(() => undefined), 30_000);
    return () => clearInterval(t);
  }, [session]);

  if (problem) return <ErrorBanner problem={problem} />;
  if (!config) return <Progress label="Loading the console" />;
  if (!tokens || !session || !api) return <SignIn config={config} onSignedIn={setTokens} notice={signOutProblem} />;

  const groups = groupsOf(session.tokens.accessToken);
  const admin = groups.includes('admin');
  const visible = SCREENS.filter((s) => !s.admin || admin);
  const current = visible.some((s) => s.id === route) ? route : 'environment';
  const doSignOut = async () => {
    setSignOutProblem(undefined);
    try {
      await signOut(config, session.tokens);
    } catch (e) {
      // Signed out here either way; the sign-in screen says the token could not be revoked.
      if (e instanceof ProblemError)
        setSignOutProblem({ ...e.problem, message: `signed out here, but Cognito did not revoke the session: ${e.problem.message}` });
    }
    setTokens(undefined);
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">ABCA · {config.env}</span>
        <nav aria-label="Screens">
          {visible.map((s) => (
            <a key={s.id} href={`#/${s.id}`} aria-current={s.id === current ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {tokens.username} ({groups.join(', ') || 'no group'})
        </span>
        <button type="button" class="secondary" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button type="button" class="secondary" onClick={() => void doSignOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {current === 'environment' && <EnvironmentScreen api={api} />}
        {current === 'repos' && <ReposScreen api={api} admin={admin} />}
        {current === 'tasks' && <TasksScreen api={api} admin={admin} me={submitterOf(session.tokens.accessToken)} />}
        {current === 'api-keys' && admin && <ApiKeysScreen api={api} />}
        {current === 'users' && admin && <UsersScreen api={api} />}
      </main>
    </>
  );
}
