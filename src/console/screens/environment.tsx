/** Environment: what live and canary serve, drift with the fix command, and the release timeline. */
import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { must } from '../api';
import type { components } from '../api-types';
import { Badge, ErrorBanner, Progress, Section, usePoll } from '../components';
import { ago, shortDigest } from '../lib/format';
import { ProblemError, type Problem } from '../lib/problems';

type Environment = components['schemas']['Environment'];
type Served = components['schemas']['Served'];

function ServedCard({ name, s, now }: { name: string; s: Served; now: number }) {
  return (
    <div class="served" data-endpoint={name}>
      <h3>{name}</h3>
      <dl>
        <dt>Digest</dt>
        <dd>
          <code data-testid={`${name}-digest`} title={s.digest}>
            {s.digest ?? '—'}
          </code>
        </dd>
        <dt>Runtime version</dt>
        <dd>{s.version ?? '—'}</dd>
        <dt>Since</dt>
        <dd>{s.since ? `${ago(s.since, now)} (${s.since})` : '—'}</dd>
        <dt>By</dt>
        <dd>{s.by ?? '—'}</dd>
        <dt>Commit</dt>
        <dd>{s.git_commit ? <code>{s.git_commit.slice(0, 12)}</code> : '—'}</dd>
        <dt>CI run</dt>
        <dd>{s.ci_run_url ? <a href={s.ci_run_url}>{s.ci_run_url}</a> : '—'}</dd>
        <dt>MMDSv2</dt>
        <dd>{s.mmdsv2 === undefined ? '—' : s.mmdsv2 ? 'yes' : 'no'}</dd>
      </dl>
    </div>
  );
}

export function EnvironmentScreen({ api }: { api: Api }) {
  const [env, setEnv] = useState<Environment>();
  const [problem, setProblem] = useState<Problem>();
  usePoll(async () => {
    try {
      setEnv(await must(api.GET('/v1/environment')));
      setProblem(undefined);
    } catch (e) {
      if (e instanceof ProblemError) setProblem(e.problem);
    }
  }, 10_000);
  const now = Date.now();
  return (
    <>
      <h1>Environment {env?.env}</h1>
      <ErrorBanner problem={problem} />
      {!env && !problem && <Progress label="Reading the runtime, its endpoints and the release history" />}
      {env && (
        <>
          <Section title="What is served">
            <div class="grid2">
              <ServedCard name="live" s={env.live} now={now} />
              <ServedCard name="canary" s={env.canary} now={now} />
            </div>
            <p>
              Image pointer: <code>{shortDigest(env.pointer.digest)}</code> (parameter version {env.pointer.version})
            </p>
          </Section>
          <Section title="Drift">
            {env.in_sync ? (
              <p class="ok-text" data-testid="drift">
                In sync: the pointer, <code>live</code> and the runtime agree.
              </p>
            ) : (
              <div data-testid="drift">
                <ul>
                  {env.drift.map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                </ul>
                {env.fix && (
                  <p>
                    Fix: <code class="command">{env.fix}</code>
                  </p>
                )}
              </div>
            )}
            {env.notes.length > 0 && (
              <ul class="muted">
                {env.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="Release timeline">
            {env.timeline.length === 0 ? (
              <p>No releases yet.</p>
            ) : (
              <ol class="timeline">
                {env.timeline.map((t, i) => (
                  <li key={`${t.pointer_version ?? 'x'}-${i}`}>
                    <Badge status={t.outcome ?? 'recorded'} /> <strong>{t.action ?? 'pointer change'}</strong> <code>{shortDigest(t.digest)}</code>
                    {t.runtime_version && <> → version {t.runtime_version}</>}
                    <span class="muted">
                      {' '}
                      {ago(t.at, now)}
                      {t.actor && ` by ${t.actor}`}
                    </span>
                    {t.reason && <div>Reason: {t.reason}</div>}
                    {t.error && <div class="error">{t.error}</div>}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      )}
    </>
  );
}
