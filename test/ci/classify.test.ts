import * as fs from 'node:fs';
import * as path from 'node:path';
import { classify, globToRegExp, normalizePath, ruleFor, RULES, UNMATCHED, type Layer } from '../../src/ci/classify';

const ROOT = path.resolve(__dirname, '../..');
const NONE: Layer[] = [];
const INFRA: Layer[] = ['infra'];
const RUNTIME: Layer[] = ['runtime'];
const BOTH: Layer[] = ['infra', 'runtime'];

describe('classify: one path', () => {
  it.each<[string, Layer[]]>([
    // the agent image: everything in agent/, prompts (.md) and tests included
    ['agent/Dockerfile', RUNTIME],
    // the task modules the smoke check shares with the API Lambda, and the smoke module itself
    ['src/tasks/invoker.ts', BOTH],
    ['src/tasks/errors.ts', BOTH],
    ['src/tasks/smoke.ts', BOTH],
    // the task verbs: the API Lambda, and the publisher's golden task and bake window (issue 23)
    ['src/tasks/orchestrator.ts', BOTH],
    ['src/tasks/reconciler.ts', INFRA],
    ['agent/src/server.ts', RUNTIME],
    ['agent/package-lock.json', RUNTIME],
    ['agent/prompts/system.md', RUNTIME],
    ['agent/src/server.test.ts', RUNTIME],
    ['.dockerignore', RUNTIME],
    // infra
    ['stacks/main.ts', INFRA],
    ['stacks/constructs/network.ts', INFRA],
    ['cdktf.json', INFRA],
    ['src/handlers/image-pointer.ts', INFRA],
    ['src/wiring/index.ts', INFRA],
    ['src/api/lambda.ts', INFRA],
    ['src/api/routes/repos.ts', INFRA],
    ['src/repos/repo-config.ts', BOTH],
    ['src/repos/provisioner.ts', INFRA],
    ['scripts/bundle-handlers.ts', INFRA],
    // shared by both layers
    ['src/runtime/publish.ts', BOTH],
    ['src/platform/names.ts', BOTH],
    ['src/aws/clients.ts', BOTH],
    ['src/errors.ts', BOTH],
    ['package.json', BOTH],
    ['package-lock.json', BOTH],
    ['tsconfig.json', BOTH],
    ['.nvmrc', BOTH],
    // the publisher's own tooling
    ['scripts/publish-runtime.ts', RUNTIME],
    ['scripts/rollback-runtime.ts', RUNTIME],
    ['scripts/smoke-runtime.ts', RUNTIME],
    ['src/cli-support/run-main.ts', RUNTIME],
    // the pipelines themselves
    ['.github/workflows/deploy-infra.yml', INFRA],
    ['.github/workflows/deploy-runtime.yml', RUNTIME],
    ['.github/workflows/build.yml', NONE],
    // promotion runs only on dispatch: merging a change to it or its script deploys nothing
    ['.github/workflows/promote-runtime.yml', NONE],
    ['scripts/promote-runtime.ts', NONE],
    ['src/runtime/promote.ts', BOTH],
    ['src/runtime/ecr-copy.ts', BOTH],
    ['stacks/constructs/promotion-policy.ts', INFRA],
    ['.github/actions/setup/action.yml', NONE],
    ['.github/dependabot.yml', NONE],
    // docs, tests, benches, tooling: nothing deploys
    ['README.md', NONE],
    ['docs/deployment.md', NONE],
    ['docs/diagram.png', NONE],
    ['stacks/README.md', NONE],
    ['custom-resources/image-pointer/README.md', NONE],
    ['test/ci/classify.test.ts', NONE],
    ['test/support/moto.ts', NONE],
    ['src/api/lambda.test.ts', NONE],
    ['src/runtime/__tests__/lock.ts', NONE],
    ['bench/synth.ts', NONE],
    ['scripts/runtime-status.ts', NONE],
    ['scripts/classify-changes.ts', NONE],
    ['scripts/dev.ts', NONE],
    ['scripts/demo.ts', NONE],
    ['scripts/bootstrap-local.ts', NONE],
    // the first deploy and teardown: operator commands, run by hand
    ['scripts/deploy-first.ts', NONE],
    ['scripts/teardown.ts', NONE],
    ['src/deploy/first-deploy.ts', NONE],
    ['stacks/settings.ts', INFRA],
    ['scripts/serve-api.ts', NONE],
    ['src/local/bootstrap.ts', NONE],
    ['src/ci/classify.ts', NONE],
    ['src/cli/commands/repo.ts', NONE],
    ['bin/bgagent.js', NONE],
    ['.ci/run', NONE],
    ['mise.toml', NONE],
    ['jest.config.js', NONE],
    ['eslint.config.js', NONE],
    ['.gitignore', NONE],
    ['LICENSE', NONE],
    // nobody wrote a rule: both deploy (fail safe, and the infra side is reviewed)
    ['Makefile', BOTH],
    ['newdir/thing.ts', BOTH],
    ['src/newmodule/x.ts', BOTH],
    ['scripts/new-script.ts', BOTH],
    // folder boundaries and case are exact
    ['src/apix/handler.ts', BOTH],
    ['agents/x.ts', BOTH],
    ['stacks', BOTH],
    ['Stacks/main.ts', BOTH],
    ['docs', BOTH],
  ])('%s → %j', (file, expected) => {
    // Act
    const result = classify([file]);
    // Assess
    expect(result.layers).toEqual(expected);
  });
});

describe('classify: a change set', () => {
  it.each<[string, string[], Layer[]]>([
    ['no change at all', [], NONE],
    ['docs only', ['docs/deployment.md', 'README.md', 'docs/ci.md'], NONE],
    ['tests only', ['test/ci/classify.test.ts', 'test/support/run.ts', 'src/api/lambda.test.ts'], NONE],
    ['docs and tests and benches', ['docs/a.md', 'test/x.test.ts', 'bench/publish.ts'], NONE],
    ['agent only', ['agent/src/server.ts', 'agent/Dockerfile'], RUNTIME],
    ['agent plus docs', ['agent/src/server.ts', 'docs/deployment.md'], RUNTIME],
    ['handler code only', ['src/api/lambda.ts'], INFRA],
    ['lockfile only', ['package-lock.json'], BOTH],
    ['a module shared by both layers', ['src/platform/runtime-spec.ts'], BOTH],
    ['infra and agent together (order-independent)', ['agent/src/a.ts', 'stacks/main.ts'], BOTH],
    ['the deploy workflows themselves', ['.github/workflows/deploy-runtime.yml', '.github/workflows/deploy-infra.yml'], BOTH],
    ['only the build workflow', ['.github/workflows/build.yml'], NONE],
    ['one unknown path among docs', ['docs/a.md', 'tools/gen.sh'], BOTH],
  ])('%s', (_name, paths, expected) => {
    // Act
    const result = classify(paths);
    // Assess
    expect(result.layers).toEqual(expected);
  });

  it('reports layers in canonical order (infra before runtime) whatever the input order', () => {
    // Act
    const result = classify(['agent/Dockerfile', 'src/handlers/image-pointer.ts']);
    // Assess
    expect(result.layers).toEqual(['infra', 'runtime']);
  });

  it('ignores blank lines and reports a duplicated path once', () => {
    // Act
    const result = classify(['', '  ', 'stacks/main.ts', './stacks/main.ts', 'stacks//main.ts']);
    // Assess
    expect(result.files.map((f) => f.path)).toEqual(['stacks/main.ts']);
    expect(result.layers).toEqual(INFRA);
  });

  it('names the deciding rule for every path, and says when none matched', () => {
    // Act
    const result = classify(['package-lock.json', 'tools/gen.sh']);
    // Assess
    expect(result.files).toEqual([
      expect.objectContaining({ path: 'package-lock.json', rule: 'package-lock.json', layers: BOTH }),
      expect.objectContaining({ path: 'tools/gen.sh', rule: UNMATCHED.pattern, layers: BOTH, why: expect.stringContaining('src/ci/classify.ts') }),
    ]);
  });
});

describe('path normalization', () => {
  it.each<[string, string | undefined]>([
    ['stacks/main.ts', 'stacks/main.ts'],
    ['./stacks/main.ts', 'stacks/main.ts'],
    ['/stacks/main.ts', 'stacks/main.ts'],
    ['stacks\\main.ts', 'stacks/main.ts'],
    ['  docs/a.md \r', 'docs/a.md'],
    ['', undefined],
    ['./', undefined],
    ['stacks/./x//y.ts', 'stacks/x/y.ts'],
  ])('%j → %j', (raw, expected) => {
    // Act + Assess
    expect(normalizePath(raw)).toBe(expected);
  });

  it('refuses a path that leaves the repository', () => {
    // Act + Assess
    expect(() => classify(['../outside/stacks/main.ts'])).toThrow(/leaves the repository/);
  });

  it('classifies a Windows-style path like its POSIX form', () => {
    // Act
    const result = classify(['src\\handlers\\image-pointer.ts']);
    // Assess
    expect(result.layers).toEqual(INFRA);
  });
});

describe('glob matching', () => {
  it.each<[string, string, boolean]>([
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'a/b/c.md', true],
    ['**/*.md', 'a/b/c.mdx', false],
    ['src/api/**', 'src/api/x/y.ts', true],
    ['src/api/**', 'src/api', false],
    ['src/api/**', 'src/apix/y.ts', false],
    ['*.json', 'a/b.json', false],
    ['.prettierrc*', '.prettierrc.json', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['package.json', 'packageXjson', false],
  ])('%s against %s → %s', (glob, file, expected) => {
    // Act + Assess
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });
});

describe('the rule table', () => {
  it('has no duplicated pattern and explains every rule', () => {
    // Prepare
    const patterns = RULES.map((r) => r.pattern);
    // Assess
    expect(new Set(patterns).size).toBe(patterns.length);
    for (const rule of RULES) expect(rule.why.length).toBeGreaterThan(3);
  });

  it('has no rule that an earlier rule makes unreachable (each decides its own pattern)', () => {
    // Prepare: a concrete path for each literal pattern, or a sample under a folder pattern
    const sample = (pattern: string): string =>
      pattern
        .replace(/^\*\*\//, '')
        .replace(/\/\*\*$/, '/x/sample.ts')
        .replace(/\*\*/g, 'x')
        .replace(/\*/g, 'sample')
        .replace(/\?/g, 'q');
    // Act
    const unreachable = RULES.filter((rule) => ruleFor(sample(rule.pattern)) !== rule).map((r) => r.pattern);
    // Assess
    expect(unreachable).toEqual([]);
  });

  it('names every file in this repository explicitly (no file falls through to the fail-safe default)', () => {
    // Prepare: walk the working tree like git would see it, minus generated and dependency folders
    const skip = new Set(['.git', 'node_modules', 'cdktf.out', 'dist', 'coverage', '.abca', '.terraform', 'test-results']);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        if (skip.has(entry.name) || entry.name.endsWith('.tsbuildinfo') || /^terraform\..*\.tfstate/.test(entry.name)) continue;
        const rel = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(rel);
        else files.push(rel);
      }
    };
    walk('');
    // Act
    const unnamed = classify(files)
      .files.filter((f) => f.rule === UNMATCHED.pattern)
      .map((f) => f.path);
    // Assess
    expect(files.length).toBeGreaterThan(10);
    expect(unnamed).toEqual([]);
  });
});
