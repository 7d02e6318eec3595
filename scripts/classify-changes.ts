/**
 * tsx scripts/classify-changes.ts [--json] [--explain] (<path>… | --base <ref> [--head <ref>] |
 *   --github-event | --stdin) [--if-base-missing all|error] [--github-output] [--summary] [--env <env>]
 *
 * Says which deploy layers a change touches: `{"layers":[...]}` with `infra`, `runtime`, both or
 * neither. The rules live in src/ci/classify.ts (documented in docs/ci.md); workflows call this
 * script instead of repeating path lists. Exit 0 on success, 2 on bad input, 1 if git fails.
 */
import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import { allLayers, classify, type Layer } from '../src/ci/classify';
import { changeRangeFromEvent } from '../src/ci/github-event';
import { BaseNotFoundError, changedPaths } from '../src/ci/git';
import { toGithubOutput, toJson, toSummary, toText, type ClassifyResult } from '../src/ci/report';
import { ValidationError } from '../src/errors';
import { assertEnvName } from '../src/platform/names';
import { appendJobSummary, requireActionsFile } from '../src/cli-support/job-summary';
import { runMain } from '../src/cli-support/run-main';

interface Opts {
  json?: boolean;
  explain?: boolean;
  base?: string;
  head: string;
  githubEvent?: boolean;
  stdin?: boolean;
  ifBaseMissing: 'all' | 'error';
  repo: string;
  githubOutput?: boolean;
  summary?: boolean;
  env?: string;
}

const program = new Command()
  .name('classify-changes')
  .description('Which deploy layers (infra, runtime) a change touches')
  .argument('[paths...]', 'changed paths, relative to the repository root')
  .option('--json', 'print {"layers":[...]} on stdout')
  .option('--explain', 'with --json: add the rule that decided each path')
  .option('--base <ref>', 'classify `git diff --name-only base...head`')
  .option('--head <ref>', 'head commit for --base', 'HEAD')
  .option('--github-event', 'take the commits from $GITHUB_EVENT_NAME / $GITHUB_EVENT_PATH (push, pull_request, merge_group; manual runs deploy everything)')
  .option('--stdin', 'read paths from stdin, one per line (the default when nothing else is given and stdin is not a terminal)')
  .addOption(new Option('--if-base-missing <what>', 'when the base commit is not in the clone').choices(['all', 'error']).default('error'))
  .option('--repo <dir>', 'git repository', process.cwd())
  .option('--github-output', 'append infra=, runtime=, layers= (and env=) to $GITHUB_OUTPUT')
  .option('--summary', 'append a Markdown report to $GITHUB_STEP_SUMMARY')
  .option('--env <env>', 'validate an environment name and pass it on as output env=')
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npx tsx scripts/classify-changes.ts --json agent/src/server.ts docs/ci.md',
      '  git diff --name-only origin/main... | npx tsx scripts/classify-changes.ts --json',
      '  npx tsx scripts/classify-changes.ts --base origin/main --explain --json',
      '',
    ].join('\n'),
  );

function readStdin(): string[] {
  return fs.readFileSync(0, 'utf8').split(/\r?\n|\0/);
}

function fromRange(opts: Opts, base: string, head: string, source: string): ClassifyResult {
  try {
    return { ...classify(changedPaths(opts.repo, base, head)), source };
  } catch (e) {
    if (e instanceof BaseNotFoundError && opts.ifBaseMissing === 'all') {
      process.stderr.write(`::warning title=classify-changes::${e.message}; deploying every layer\n`);
      return { layers: allLayers(), files: [], source: `${e.message}: every layer deploys` };
    }
    throw e;
  }
}

function everything(layers: Layer[], source: string): ClassifyResult {
  return { layers, files: [], source };
}

function run(paths: string[], opts: Opts): ClassifyResult {
  const modes = [paths.length > 0, opts.base !== undefined, !!opts.githubEvent, !!opts.stdin].filter(Boolean).length;
  if (modes > 1) throw new ValidationError('give paths, --base, --github-event or --stdin: one of them', 'VALIDATION_ERROR');
  if (paths.length) return { ...classify(paths), source: 'paths given on the command line' };
  if (opts.base !== undefined) return fromRange(opts, opts.base, opts.head, `\`${opts.base}...${opts.head}\``);
  if (opts.githubEvent) {
    const name = process.env.GITHUB_EVENT_NAME ?? '';
    const file = process.env.GITHUB_EVENT_PATH;
    if (!file) throw new ValidationError('$GITHUB_EVENT_PATH is not set (only GitHub Actions sets it)', 'NOT_IN_GITHUB_ACTIONS');
    const payload: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const range = changeRangeFromEvent(name, payload);
    if (range.kind === 'all') return everything(allLayers(), range.reason);
    if (range.kind === 'none') return everything([], range.reason);
    return fromRange(opts, range.base, range.head, `\`${range.base.slice(0, 12)}...${range.head.slice(0, 12)}\` (${name})`);
  }
  if (opts.stdin || !process.stdin.isTTY) return { ...classify(readStdin()), source: 'paths read from stdin' };
  throw new ValidationError('nothing to classify: give paths, --base <ref>, --github-event, or pipe paths on stdin', 'VALIDATION_ERROR');
}

runMain(
  async () => {
    program.parse();
    const opts = program.opts<Opts>();
    const env = opts.env === undefined ? undefined : assertEnvName(opts.env);
    const result = run(program.args, opts);
    if (opts.githubOutput) fs.appendFileSync(requireActionsFile('GITHUB_OUTPUT'), toGithubOutput(result.layers, env ? { env } : {}));
    if (opts.summary) appendJobSummary(toSummary(result), { required: true });
    process.stdout.write(opts.json ? `${toJson(result, opts.explain)}\n` : toText(result));
  },
  { json: () => process.argv.includes('--json') },
);
