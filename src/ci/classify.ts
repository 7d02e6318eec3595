/**
 * Which deploy layers a change touches. The one place the path rules live: the workflows call
 * `scripts/classify-changes.ts` and never repeat these patterns in YAML.
 *
 * - `infra`   → `cdktf deploy infra` must run (deploy-infra.yml, behind a reviewed environment).
 * - `runtime` → a new agent image must be built and published (deploy-runtime.yml).
 *
 * Rules are ordered; the first match decides a path. A path no rule names deploys BOTH layers:
 * a new top-level folder or a new shared module must never slip past the infra review unseen.
 * docs/ci.md explains each rule.
 */
import { ValidationError } from '../errors';

export type Layer = 'infra' | 'runtime';

/** Canonical order of layers in every output. */
export const LAYERS: readonly Layer[] = ['infra', 'runtime'];

export interface Rule {
  /** Glob over repository-relative POSIX paths: `**` crosses folders, `*` and `?` do not. */
  readonly pattern: string;
  readonly layers: readonly Layer[];
  readonly why: string;
}

const BOTH: readonly Layer[] = ['infra', 'runtime'];
const INFRA: readonly Layer[] = ['infra'];
const RUNTIME: readonly Layer[] = ['runtime'];
const NONE: readonly Layer[] = [];

export const RULES: readonly Rule[] = [
  // --- the pipelines themselves: a change to a deploy workflow is proven by running it
  { pattern: '.github/workflows/deploy-infra.yml', layers: INFRA, why: 'the infra deploy pipeline itself' },
  { pattern: '.github/workflows/deploy-runtime.yml', layers: RUNTIME, why: 'the runtime deploy pipeline itself' },
  // Manual dispatch only: a change to it deploys nothing until someone runs a promotion.
  { pattern: '.github/workflows/promote-runtime.yml', layers: NONE, why: 'the promotion pipeline (manual dispatch only; nothing deploys on merge)' },
  { pattern: '.github/**', layers: NONE, why: 'build workflow and shared CI plumbing, exercised by build.yml on the pull request' },

  // --- the agent image: everything in its build context, prompts and docs included
  { pattern: 'agent/**', layers: RUNTIME, why: 'agent container image input' },

  // --- documentation and tests never deploy (outside agent/, where a .md may be a prompt)
  { pattern: '**/*.md', layers: NONE, why: 'documentation' },
  { pattern: 'docs/**', layers: NONE, why: 'documentation' },
  { pattern: 'test/**', layers: NONE, why: 'tests' },
  { pattern: '**/*.test.ts', layers: NONE, why: 'tests' },
  { pattern: '**/*.spec.ts', layers: NONE, why: 'tests' },
  { pattern: '**/__tests__/**', layers: NONE, why: 'tests' },
  { pattern: 'bench/**', layers: NONE, why: 'benchmarks' },

  // --- infra: everything Terraform creates or bundles into a Lambda
  { pattern: 'stacks/**', layers: INFRA, why: 'cdktf stack' },
  { pattern: 'src/build/**', layers: INFRA, why: 'Lambda bundler (handler list, esbuild settings) used by the stack and scripts/bundle-handlers.ts' },
  { pattern: 'cdktf.json', layers: INFRA, why: 'cdktf app configuration' },
  {
    pattern: 'src/handlers/**',
    layers: INFRA,
    why: 'Lambda entry points: API, provisioner, reconciler, image-pointer custom resource (deployed by Terraform)',
  },
  { pattern: 'src/wiring/**', layers: INFRA, why: 'builds the services the Lambda entry points run (and the local control plane)' },
  { pattern: 'src/api/**', layers: INFRA, why: 'API Lambda handler code (deployed by Terraform)' },
  // Releases that protect themselves (issue 23): publish's canary check runs its golden task
  // through the task verbs, and the bake window reads task rows, so these also change the publisher.
  ...[
    'src/tasks/orchestrator.ts',
    'src/tasks/store.ts',
    'src/tasks/state-machine.ts',
    'src/tasks/config.ts',
    'src/tasks/contract.ts',
    'src/tasks/agent-states.ts',
    'src/tasks/outcome.ts',
    'src/tasks/tokens.ts',
    'src/tasks/schema.ts',
    'src/repos/store.ts',
    'src/repos/repo-config.ts',
    'src/repos/counter.ts',
    'src/repos/cedar.ts',
    'src/repos/egress-policy.ts',
    'src/repos/fields.ts',
    'src/repos/upstream.ts',
    'src/repos/repo-id.ts',
  ].map((pattern) => ({ pattern, layers: BOTH, why: 'task verbs: the API Lambda, and the publisher (golden task, bake window)' })),
  { pattern: 'src/repos/**', layers: INFRA, why: 'RepoConfig schema/Cedar checks used by the API handlers and the Blueprint construct' },
  { pattern: 'src/auth/**', layers: INFRA, why: 'Cognito JWT and API-key verification bundled into the API Lambda' },
  // The smoke check (runtime) invokes the agent through the same invoker the API Lambda uses.
  { pattern: 'src/tasks/invoker.ts', layers: BOTH, why: 'agent invocation: API Lambda and the runtime smoke check' },
  { pattern: 'src/tasks/errors.ts', layers: BOTH, why: 'task errors: API Lambda and the runtime smoke check' },
  {
    pattern: 'src/tasks/smoke.ts',
    layers: BOTH,
    why: 'runtime smoke check (scripts/smoke-runtime.ts), and the canary check publish runs (also in the custom resource)',
  },
  { pattern: 'src/tasks/**', layers: INFRA, why: 'task orchestration and agent invocation bundled into the API Lambda' },
  { pattern: 'scripts/bundle-handlers.ts', layers: INFRA, why: 'builds the Lambda bundles Terraform deploys' },
  // Workshop console (issue 25): built into the API Lambda's bundle and served at /console.
  { pattern: 'src/console/**', layers: INFRA, why: 'workshop console: bundled into the API Lambda and served at /console' },
  { pattern: 'scripts/build-console.ts', layers: INFRA, why: 'builds the console the API Lambda bundle carries' },
  { pattern: 'scripts/gen-console-types.ts', layers: NONE, why: "writes the console's API types (src/console/api-types.ts, itself infra)" },

  // --- shared by both layers
  { pattern: 'src/runtime/**', layers: BOTH, why: 'publish/rollback logic: bundled into the custom resource (infra) and run by the publisher (runtime)' },
  { pattern: 'src/audit/**', layers: BOTH, why: 'audit table store: API Lambdas and custom resource (infra), publisher (runtime)' },
  { pattern: 'src/platform/**', layers: BOTH, why: 'names, platform config and runtime spec shared by the stack and the publisher' },
  { pattern: 'src/aws/**', layers: BOTH, why: 'AWS client setup shared by Lambdas and the publisher' },
  { pattern: 'src/errors.ts', layers: BOTH, why: 'error types shared by Lambdas and the publisher' },
  { pattern: 'src/error-codes.ts', layers: BOTH, why: 'the error catalogue behind src/errors.ts' },
  { pattern: 'package.json', layers: BOTH, why: 'dependencies: change what gets bundled into Lambdas and what builds the image' },
  { pattern: 'package-lock.json', layers: BOTH, why: 'lockfile: changes what gets bundled into Lambdas and what builds the image' },
  { pattern: 'tsconfig.json', layers: BOTH, why: 'compiler settings used by the Lambda bundler and the publisher' },
  { pattern: '.npmrc', layers: BOTH, why: 'npm install settings' },
  { pattern: '.nvmrc', layers: BOTH, why: 'Node version' },
  { pattern: '.node-version', layers: BOTH, why: 'Node version' },
  { pattern: '.dockerignore', layers: RUNTIME, why: 'docker build context filter' },

  // --- runtime publisher tooling: run it on the merge that changes it, with its smoke gate
  { pattern: 'scripts/publish-runtime.ts', layers: RUNTIME, why: 'runtime publisher' },
  { pattern: 'scripts/rollback-runtime.ts', layers: RUNTIME, why: 'runtime rollback' },
  { pattern: 'scripts/smoke-runtime.ts', layers: RUNTIME, why: 'runtime smoke check run by the publisher' },
  // Run only by promote-runtime.yml on dispatch; the publish it ends with is src/runtime (both layers).
  { pattern: 'scripts/promote-runtime.ts', layers: NONE, why: 'promotion entry point, run only when promote-runtime.yml is dispatched' },
  { pattern: 'src/cli-support/deploy.ts', layers: NONE, why: 'the edge of the first-deploy and teardown scripts (operator commands, not deployed)' },
  { pattern: 'src/cli-support/**', layers: RUNTIME, why: 'entry-point wrapper of the publisher scripts' },

  // --- operator and developer tooling: nothing deployed changes
  { pattern: 'scripts/runtime-status.ts', layers: NONE, why: 'read-only status/drift report' },
  { pattern: 'scripts/classify-changes.ts', layers: NONE, why: 'CI tooling' },
  { pattern: 'scripts/import-graph.ts', layers: NONE, why: 'developer tooling: the shape of the tree and its layer rules' },
  { pattern: 'scripts/bootstrap-local.ts', layers: NONE, why: 'local mode' },
  { pattern: 'scripts/serve-api.ts', layers: NONE, why: 'local mode' },
  { pattern: 'scripts/dev.ts', layers: NONE, why: 'local mode' },
  { pattern: 'scripts/demo.ts', layers: NONE, why: 'local mode' },
  { pattern: 'scripts/build-cli.ts', layers: NONE, why: 'builds the bgagent CLI bundle (not deployed)' },
  // The first deploy and teardown run by hand with admin credentials; CI never runs them.
  { pattern: 'scripts/deploy-first.ts', layers: NONE, why: 'first deploy of an environment (operator command, not deployed)' },
  { pattern: 'scripts/teardown.ts', layers: NONE, why: 'teardown of an environment (operator command, not deployed)' },
  { pattern: 'src/deploy/**', layers: NONE, why: 'first-deploy and teardown steps (operator commands, not deployed)' },
  { pattern: 'scripts/gen-error-docs.ts', layers: NONE, why: 'writes the error tables of the docs' },
  { pattern: 'src/local/**', layers: NONE, why: 'local mode (emulator bootstrap)' },
  { pattern: 'src/error-docs.ts', layers: NONE, why: 'renders the error tables of the docs from the catalogue' },
  { pattern: 'src/ci/**', layers: NONE, why: 'CI tooling' },
  { pattern: 'src/doctor/**', layers: NONE, why: 'bgagent doctor: read-only checks of an environment (operator command, not deployed)' },
  { pattern: 'src/cli/**', layers: NONE, why: 'bgagent CLI (not deployed)' },
  { pattern: 'bin/**', layers: NONE, why: 'bgagent CLI (not deployed)' },
  { pattern: '.ci/**', layers: NONE, why: 'CI entry point' },
  { pattern: 'mise.toml', layers: NONE, why: 'task runner shortcuts' },
  { pattern: 'jest.config.js', layers: NONE, why: 'test configuration' },
  { pattern: 'eslint.config.js', layers: NONE, why: 'lint configuration' },
  { pattern: '.gitignore', layers: NONE, why: 'repository housekeeping' },
  { pattern: '.gitattributes', layers: NONE, why: 'repository housekeeping' },
  { pattern: '.editorconfig', layers: NONE, why: 'editor settings' },
  { pattern: '.prettierrc*', layers: NONE, why: 'formatter settings' },
  { pattern: '.prettierignore', layers: NONE, why: 'what the formatter leaves alone' },
  { pattern: '.vscode/**', layers: NONE, why: 'editor settings' },
  { pattern: '.devcontainer/**', layers: NONE, why: 'developer container' },
  { pattern: 'LICENSE*', layers: NONE, why: 'licence text' },
  { pattern: 'CODEOWNERS', layers: NONE, why: 'review routing' },
];

/** What a path nobody wrote a rule for deploys: everything (fail safe, and reviewed). */
export const UNMATCHED: Rule = {
  pattern: '(no rule)',
  layers: BOTH,
  why: 'no rule names this path: both layers deploy to be safe (add a rule in src/ci/classify.ts)',
};

export interface PathDecision {
  path: string;
  layers: Layer[];
  rule: string;
  why: string;
}

export interface Classification {
  layers: Layer[];
  files: PathDecision[];
}

/** Glob → anchored RegExp. `**\/` matches zero or more folders, `**` anything, `*`/`?` within a segment. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

const COMPILED = RULES.map((rule) => ({ rule, re: globToRegExp(rule.pattern) }));

/**
 * Repository-relative POSIX form: backslashes to slashes, no leading `./` or `/`, no empty or
 * `.` segments. Returns undefined for blank input and throws for paths that leave the repository.
 */
export function normalizePath(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!trimmed) return undefined;
  const segments = trimmed
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new ValidationError(`path leaves the repository: ${raw}`, 'INVALID_PATH');
  return segments.length ? segments.join('/') : undefined;
}

/** The rule that decides one (normalized) path. */
export function ruleFor(path: string): Rule {
  return COMPILED.find(({ re }) => re.test(path))?.rule ?? UNMATCHED;
}

function ordered(layers: Iterable<Layer>): Layer[] {
  const set = new Set(layers);
  return LAYERS.filter((l) => set.has(l));
}

/** Classifies a change set. Blank entries are ignored, duplicates are reported once. */
export function classify(paths: Iterable<string>): Classification {
  const seen = new Set<string>();
  const files: PathDecision[] = [];
  for (const raw of paths) {
    const path = normalizePath(raw);
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    const rule = ruleFor(path);
    files.push({ path, layers: [...rule.layers], rule: rule.pattern, why: rule.why });
  }
  return { layers: ordered(files.flatMap((f) => f.layers)), files };
}

/** Every layer: for a change we cannot see (first push, force push, manual run). */
export function allLayers(): Layer[] {
  return [...LAYERS];
}
