/** `bgagent repo list | show | onboard | update | remove | set-token | history | diff | revert`, over /v1/repos. */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ConflictError, OperationFailedError, ValidationError } from '../../errors';
import type { ApiClient, Page, RepoRow } from '../api-client';
import { chompLine, examples, openApi, output, positiveNumber, promptHidden, readStdin, waitFor, withApi, type ApiOpts, type Verdict } from '../common';
import { renderFields, renderTable, type Column, type Output } from '../output';
import { repoHistoryCommands } from './repo-history';
import { repoImportCommand } from './repo-import';
import {
  CLEAR_CEDAR_FLAG,
  FROM_FILE_FLAG,
  onboardBody,
  parseJsonFile,
  parseRepoId,
  patchBody,
  SETTING_FLAGS,
  settingsFromFlags,
  type FlagValues,
} from '../repo-flags';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const readText = (file: string) => readFileSync(file, 'utf8');

export const REPO_COLUMNS: Column<RepoRow>[] = [
  { header: 'REPO', value: (r) => r.repo },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'SOURCE', value: (r) => r.source },
  { header: 'MODEL', value: (r) => r.model_id, max: 40 },
  { header: 'VERSION', value: (r) => r.version },
  { header: 'UPDATED', value: (r) => r.updated_at },
  { header: 'REASON', value: (r) => r.status_reason, max: 50 },
];

const FIELD_ORDER = [
  'repo',
  'status',
  'status_reason',
  'source',
  'version',
  'onboarded_at',
  'updated_at',
  'compute_type',
  'runtime_arn',
  'model_id',
  'max_turns',
  'max_budget_usd',
  'poll_interval_ms',
  'approval_gate_cap',
  'github_token_secret_arn',
  'build_command',
  'lint_command',
  'egress_allowlist',
  'system_prompt_overrides',
  'cedar_policies',
];

/** Pure: a row as aligned `field  value` lines, known fields first. */
export function renderRepo(row: RepoRow): string {
  const r = row as unknown as Record<string, unknown>;
  const keys = [
    ...FIELD_ORDER.filter((k) => k in r),
    ...Object.keys(r)
      .filter((k) => !FIELD_ORDER.includes(k))
      .sort(),
  ];
  return renderFields(keys.map((k) => [k, k === 'cedar_policies' && Array.isArray(r[k]) ? (r[k] as string[]).join('\n') || '-' : r[k]]));
}

/** Pure: is onboarding (or re-provisioning) over? `active` succeeds, `failed` fails with its reason. */
export function repoVerdict(row: RepoRow): Verdict<RepoRow> {
  if (row.status === 'active') return { done: true, value: row };
  if (row.status === 'failed') {
    return {
      done: true,
      error: new OperationFailedError(`${row.repo}: provisioning failed: ${row.status_reason ?? 'no reason given'}`, 'PROVISIONING_FAILED', { repo: row }),
    };
  }
  if (row.status === 'removed') return { done: true, error: new ConflictError(`${row.repo} was removed while waiting`, 'REPO_REMOVED', { repo: row }) };
  return { done: false, text: `${row.repo}: ${row.status}` };
}

function addSettingFlags(cmd: Command, update: boolean): Command {
  for (const spec of SETTING_FLAGS) {
    if (spec.repeatable) cmd.option(spec.flag, spec.help, collect);
    else cmd.option(spec.flag, spec.help);
  }
  if (update) cmd.option(CLEAR_CEDAR_FLAG.flag, CLEAR_CEDAR_FLAG.help);
  return cmd
    .option(FROM_FILE_FLAG.flag, FROM_FILE_FLAG.help)
    .option('--wait', `wait until the repository is active or failed`)
    .option('--timeout <seconds>', 'give up waiting after this long', '300')
    .addOption(new Option('--wait-interval-ms <ms>', 'poll interval while waiting').default('1000').hideHelp());
}

type WaitOpts = { wait?: boolean; timeout?: string; waitIntervalMs?: string };

async function maybeWait(client: ApiClient, row: RepoRow, opts: WaitOpts, out: Output): Promise<RepoRow> {
  if (!opts.wait || row.status === 'active' || row.status === 'failed') {
    if (opts.wait) {
      const v = repoVerdict(row);
      if (v.done && 'error' in v) throw v.error;
    }
    return row;
  }
  return waitFor({
    out,
    start: `${row.repo}: ${row.status}`,
    what: `${row.repo} to become active`,
    read: async () => (await client.getRepo(row.repo)).body,
    judge: repoVerdict,
    timeoutMs: positiveNumber('--timeout', opts.timeout, 300) * 1000,
    intervalMs: positiveNumber('--wait-interval-ms', opts.waitIntervalMs, 1000),
  });
}

function fromFile(opts: FlagValues): Record<string, unknown> | undefined {
  const file = opts[FROM_FILE_FLAG.key] as string | undefined;
  if (!file) return undefined;
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    throw new ValidationError(`--from-file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'VALIDATION_ERROR');
  }
  return parseJsonFile(file, text);
}

export function repoCommands(program: Command): void {
  const repo = program.command('repo').description('Onboard and configure GitHub repositories (RepoConfig) through the /v1/repos API');
  examples(repo, 'bgagent repo list', 'bgagent repo onboard acme/widgets --model-id anthropic.claude-sonnet-4 --wait');
  repoHistoryCommands(repo);
  repoImportCommand(repo);

  const list = withApi(repo.command('list').description('List onboarded repositories'))
    .addOption(new Option('--status <status>', 'only this status').choices(['provisioning', 'active', 'failed', 'removed']))
    .option('--limit <n>', 'at most this many (default: all)')
    .option('--next-token <token>', 'continue a listing that stopped at --limit');
  examples(list, 'bgagent repo list', 'bgagent repo list --status failed --json | jq -r ".items[].repo"');
  list.action(async (opts: ApiOpts & { status?: string; limit?: string; nextToken?: string }) => {
    const out = output(opts);
    const limit = opts.limit === undefined ? Infinity : positiveNumber('--limit', opts.limit, 0);
    const { client } = openApi(opts);
    const items: RepoRow[] = [];
    let next: string | undefined = opts.nextToken;
    do {
      const remaining = limit - items.length;
      const page: Page<RepoRow> = await client.listRepos({ status: opts.status, limit: Number.isFinite(remaining) ? remaining : undefined, next_token: next });
      items.push(...page.items.slice(0, remaining));
      next = page.next_token;
    } while (next && items.length < limit);
    const result = { items, ...(next ? { next_token: next } : {}) };
    out.result(result, () => [renderTable(items, REPO_COLUMNS), ...(next ? [`more: --next-token ${next}`] : [])].join('\n'));
  });

  const show = withApi(repo.command('show').description('Show one repository, every field').argument('<owner/repo>'));
  examples(show, 'bgagent repo show acme/widgets', 'bgagent repo show acme/widgets --json | jq .status');
  show.action(async (id: string, opts: ApiOpts) => {
    const repoId = parseRepoId(id);
    const { client } = openApi(opts);
    const { body } = await client.getRepo(repoId);
    output(opts).result(body, () => renderRepo(body));
  });

  const onboard = addSettingFlags(
    withApi(repo.command('onboard').description('Onboard a repository (POST /v1/repos); fields left out get the platform defaults').argument('<owner/repo>')),
    false,
  );
  examples(
    onboard,
    'bgagent repo onboard acme/widgets --wait',
    'bgagent repo onboard acme/widgets --model-id anthropic.claude-sonnet-4 --max-turns 50 --egress-allowlist pypi.org,files.pythonhosted.org --cedar-policy-file policy.cedar --wait',
  );
  onboard.action(async (id: string, opts: ApiOpts & WaitOpts & FlagValues) => {
    const out = output(opts);
    const body = onboardBody(parseRepoId(id), fromFile(opts), settingsFromFlags(opts, readText));
    const { client } = openApi(opts);
    const created = (await client.onboardRepo(body)).body;
    const row = await maybeWait(client, created, opts, out);
    out.result(row, () => `onboarded ${row.repo}: ${row.status}${row.status === 'provisioning' ? ' (bgagent repo show to follow it, or --wait)' : ''}`);
  });

  const update = addSettingFlags(
    withApi(
      repo
        .command('update')
        .description('Change settings (PATCH with If-Match on the version read, so a concurrent change is refused)')
        .argument('<owner/repo>'),
    ),
    true,
  );
  update.option('--if-match <version>', 'expected version (default: the version read just before)');
  examples(
    update,
    'bgagent repo update acme/widgets --max-turns 80',
    'bgagent repo update acme/widgets --egress-allowlist "" --clear-cedar-policies',
    'bgagent repo update acme/widgets --if-match 3 --model-id anthropic.claude-haiku-4',
  );
  update.action(async (id: string, opts: ApiOpts & WaitOpts & FlagValues & { ifMatch?: string }) => {
    const out = output(opts);
    const repoId = parseRepoId(id);
    const patch = patchBody(fromFile(opts), settingsFromFlags(opts, readText));
    const { client } = openApi(opts);
    let etag: string;
    if (opts.ifMatch !== undefined) {
      if (!/^\d+$/.test(opts.ifMatch)) throw new ValidationError(`--if-match must be a version number, got "${opts.ifMatch}"`, 'VALIDATION_ERROR');
      etag = `"${opts.ifMatch}"`;
    } else {
      const current = await client.getRepo(repoId);
      etag = current.etag ?? `"${current.body.version}"`;
    }
    const updated = (await client.updateRepo(repoId, patch, etag)).body;
    const row = await maybeWait(client, updated, opts, out);
    out.result(row, () => `updated ${row.repo}: ${Object.keys(patch).join(', ')} (version ${row.version}, ${row.status})`);
  });

  const remove = withApi(
    repo.command('remove').description('Remove a repository (soft delete: status removed; onboarding it again restores it)').argument('<owner/repo>'),
  );
  examples(remove, 'bgagent repo remove acme/widgets');
  remove.action(async (id: string, opts: ApiOpts) => {
    const repoId = parseRepoId(id);
    const { client } = openApi(opts);
    const row = await client.removeRepo(repoId);
    output(opts).result(row, () => `removed ${row.repo} (status ${row.status}; "bgagent repo onboard ${row.repo}" restores it)`);
  });

  const setToken = withApi(
    repo
      .command('set-token')
      .description('Store the GitHub token the agent uses for this repository (read from --token-file or stdin, never from the command line)')
      .argument('<owner/repo>')
      .option('--token-file <file>', 'file holding the token (default: stdin; prompts on a terminal)'),
  );
  examples(setToken, 'gh auth token | bgagent repo set-token acme/widgets', 'bgagent repo set-token acme/widgets --token-file ~/.config/acme-token');
  setToken.action(async (id: string, opts: ApiOpts & { tokenFile?: string }) => {
    const repoId = parseRepoId(id);
    let token: string;
    if (opts.tokenFile) {
      try {
        token = readText(opts.tokenFile).trim();
      } catch (e) {
        throw new ValidationError(
          `--token-file: cannot read ${opts.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          'VALIDATION_ERROR',
        );
      }
    } else token = process.stdin.isTTY ? await promptHidden('GitHub token: ') : chompLine(await readStdin()).trim();
    if (!token) throw new ValidationError('empty token', 'VALIDATION_ERROR');
    const { client } = openApi(opts);
    const answer = await client.setGithubToken(repoId, token);
    output(opts).result({ ok: true, repo: repoId, ...(answer && typeof answer === 'object' ? answer : {}) }, () => `stored the GitHub token for ${repoId}`);
  });
}
