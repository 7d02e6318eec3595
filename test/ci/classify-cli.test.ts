/**
 * scripts/classify-changes.ts as the workflows call it: paths, stdin, a git range in a throwaway
 * repository, the GitHub event, $GITHUB_OUTPUT and the job summary.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTsx } from '../support/run';

const SCRIPT = 'scripts/classify-changes.ts';

const created: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-classify-'));
  created.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A throwaway git repository: base commit with stacks/ and agent/, then `commit(files)`. */
function scratchRepo(): { dir: string; commit: (files: Record<string, string | null>) => string } {
  const dir = tmpDir();
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
      encoding: 'utf8',
    }).trim();
  git('init', '--quiet', '--initial-branch=main');
  const commit = (files: Record<string, string | null>): string => {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(dir, file);
      if (content === null) {
        fs.rmSync(full);
      } else {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
      }
    }
    git('add', '--all');
    git('commit', '--quiet', '--allow-empty', '-m', 'change');
    return git('rev-parse', 'HEAD');
  };
  commit({ 'stacks/main.ts': 'x', 'agent/Dockerfile': 'FROM x', 'docs/a.md': '# a' });
  return { dir, commit };
}

describe('classify-changes CLI', () => {
  it('prints exactly {"layers":[...]} with --json for paths on the command line', async () => {
    // Act
    const out = await runTsx(SCRIPT, ['--json', 'agent/src/server.ts', 'docs/ci.md']);
    // Assess
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ layers: ['runtime'] });
  });

  it('prints an empty layer list for a docs-only change', async () => {
    // Act
    const out = await runTsx(SCRIPT, ['--json', 'README.md', 'docs/deployment.md']);
    // Assess
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ layers: [] });
  });

  it('reads newline-separated paths from stdin', async () => {
    // Act
    const out = await runTsx(SCRIPT, ['--json'], { input: 'package-lock.json\n\ndocs/a.md\n' });
    // Assess
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ layers: ['infra', 'runtime'] });
  });

  it('explains which rule decided each path with --explain', async () => {
    // Act
    const out = await runTsx(SCRIPT, ['--json', '--explain', 'src/api/lambda.ts']);
    // Assess
    const body = JSON.parse(out.stdout);
    expect(body.layers).toEqual(['infra']);
    expect(body.files).toEqual([expect.objectContaining({ path: 'src/api/lambda.ts', rule: 'src/api/**' })]);
  });

  it('classifies `git diff base...head`, counting a file moved out of stacks/ as infra', async () => {
    // Prepare
    const repo = scratchRepo();
    const base = repo.commit({});
    fs.mkdirSync(path.join(repo.dir, 'docs/old'), { recursive: true });
    fs.renameSync(path.join(repo.dir, 'stacks/main.ts'), path.join(repo.dir, 'docs/old/main.ts'));
    const head = repo.commit({});
    // Act
    const out = await runTsx(SCRIPT, ['--json', '--repo', repo.dir, '--base', base, '--head', head]);
    // Assess
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ layers: ['infra'] });
  });

  it('sees only what head added since it forked from base (three-dot range)', async () => {
    // Prepare: base moves on (agent change) after the branch forked; the branch changes docs only
    const repo = scratchRepo();
    const fork = repo.commit({});
    const git = (...args: string[]) => execFileSync('git', ['-C', repo.dir, ...args], { encoding: 'utf8' }).trim();
    git('checkout', '--quiet', '-b', 'feature');
    const feature = repo.commit({ 'docs/b.md': '# b' });
    git('checkout', '--quiet', 'main');
    const mainHead = repo.commit({ 'agent/Dockerfile': 'FROM y' });
    // Act
    const out = await runTsx(SCRIPT, ['--json', '--repo', repo.dir, '--base', mainHead, '--head', feature]);
    // Assess
    expect(fork).not.toBe(mainHead);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ layers: [] });
  });

  it('refuses an unknown base with exit 2, or deploys every layer with --if-base-missing all', async () => {
    // Prepare
    const repo = scratchRepo();
    const missing = 'f'.repeat(40);
    // Act
    const refused = await runTsx(SCRIPT, ['--json', '--repo', repo.dir, '--base', missing]);
    const all = await runTsx(SCRIPT, ['--json', '--repo', repo.dir, '--base', missing, '--if-base-missing', 'all']);
    // Assess
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'BASE_NOT_FOUND' } });
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual({ layers: ['infra', 'runtime'] });
    expect(all.stderr).toContain('::warning');
  });

  it('takes the range from a push event and writes infra=/runtime=/env= to $GITHUB_OUTPUT and a job summary', async () => {
    // Prepare
    const repo = scratchRepo();
    const before = repo.commit({});
    const after = repo.commit({ 'agent/src/server.ts': 'export {}', 'docs/a.md': '# changed' });
    const work = tmpDir();
    const eventFile = path.join(work, 'event.json');
    const outputFile = path.join(work, 'output');
    const summaryFile = path.join(work, 'summary.md');
    fs.writeFileSync(eventFile, JSON.stringify({ before, after }));
    fs.writeFileSync(outputFile, 'earlier=kept\n');
    // Act
    const out = await runTsx(SCRIPT, ['--repo', repo.dir, '--github-event', '--github-output', '--summary', '--env', 'dev'], {
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventFile, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile },
    });
    // Assess
    expect(out.code).toBe(0);
    expect(fs.readFileSync(outputFile, 'utf8')).toBe('earlier=kept\ninfra=false\nruntime=true\nlayers=["runtime"]\nenv=dev\n');
    const summary = fs.readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('Layers this change touches: `runtime`');
    expect(summary).toContain('| `agent/src/server.ts` | runtime | `agent/**` agent container image input |');
    expect(summary).toContain('`docs/a.md` | — |');
  });

  it('deploys every layer for a manual run (workflow_dispatch) without looking at git', async () => {
    // Prepare
    const work = tmpDir();
    const eventFile = path.join(work, 'event.json');
    const outputFile = path.join(work, 'output');
    fs.writeFileSync(eventFile, JSON.stringify({ inputs: { environment: 'prod' } }));
    // Act
    const out = await runTsx(SCRIPT, ['--repo', work, '--github-event', '--github-output', '--env', 'prod'], {
      env: { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_EVENT_PATH: eventFile, GITHUB_OUTPUT: outputFile },
    });
    // Assess
    expect(out.code).toBe(0);
    expect(fs.readFileSync(outputFile, 'utf8')).toBe('infra=true\nruntime=true\nlayers=["infra","runtime"]\nenv=prod\n');
  });

  it.each<[string, string[], NodeJS.ProcessEnv]>([
    ['an invalid environment name', ['--env', 'Prod_1', 'docs/a.md'], {}],
    ['paths and --base together', ['--base', 'HEAD', 'docs/a.md'], {}],
    ['--github-output outside GitHub Actions', ['--github-output', 'docs/a.md'], { GITHUB_OUTPUT: '' }],
    ['--github-event without an event file', ['--github-event'], { GITHUB_EVENT_PATH: '' }],
    ['a path that leaves the repository', ['../etc/passwd'], {}],
  ])('exits 2 on bad input: %s', async (_name, args, env) => {
    // Act
    const out = await runTsx(SCRIPT, ['--json', ...args], { env });
    // Assess
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false });
  });
});
