/**
 * `bgagent runtime status | publish | rollback | history`: the application layer, with AWS
 * credentials like CI (not through the API). Same flags and exit codes as scripts/publish-runtime.ts,
 * rollback-runtime.ts and runtime-status.ts.
 */
import { appendFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ValidationError } from '../../errors';
import { resolveEnv } from '../../platform/names';
import type { RuntimeContext } from '../../runtime/context';
import { examples, output, positiveNumber, withJson, type JsonOpts } from '../common';
import { readConfig } from '../config';
import { joinHistory, type HistoryEntry } from '../history';
import { renderTable, type Column, type Output } from '../output';
import { historyChainAction, promoteCommand, statusAllAction } from './runtime-promote';

interface EnvOpts extends JsonOpts {
  env?: string;
}

/** Pure: `--env`, then $ABCA_ENV, then the configured environment, then dev. */
export function runtimeEnv(flag: string | undefined, env: NodeJS.ProcessEnv, configured: string | undefined): string {
  return resolveEnv(flag ?? env.ABCA_ENV ?? configured);
}

function configuredEnv(): { env?: string; region?: string } {
  try {
    const c = readConfig();
    return { env: c?.env, region: c?.region };
  } catch {
    return {};
  }
}

async function open(opts: EnvOpts, log?: (line: string) => void): Promise<RuntimeContext> {
  const configured = configuredEnv();
  const env = runtimeEnv(opts.env, process.env, configured.env);
  const [{ createClients }, { openRuntime }] = await Promise.all([import('../../aws/clients'), import('../../runtime/context')]);
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? configured.region;
  return openRuntime(env, { clients: createClients({ region }), log });
}

function jobSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown}\n`);
}

const ciRunUrl = () =>
  process.env.GITHUB_RUN_ID ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;

function withApplyOptions(cmd: Command): Command {
  return withJson(
    cmd
      .option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, or dev)')
      .option('--smoke-cmd <cmd>', 'shell command run after READY with RUNTIME_ARN, RUNTIME_VERSION, IMAGE_DIGEST set; non-zero restores the previous image')
      .option('--reason <text>', 'why (recorded in the audit)')
      .option('--dry-run', 'print the plan, write nothing')
      .addOption(new Option('--poll-interval-ms <ms>', 'poll interval while UPDATING').default('5000').hideHelp())
      .addOption(new Option('--lock-ttl-ms <ms>', 'deploy lock expiry').hideHelp()),
  );
}

type ApplyOpts = EnvOpts & { smokeCmd?: string; reason?: string; dryRun?: boolean; pollIntervalMs: string; lockTtlMs?: string };

function applyOptions(opts: ApplyOpts) {
  return {
    smokeCmd: opts.smokeCmd,
    reason: opts.reason,
    dryRun: opts.dryRun,
    gitCommit: process.env.GITHUB_SHA,
    ciRunUrl: ciRunUrl(),
    pollIntervalMs: positiveNumber('--poll-interval-ms', opts.pollIntervalMs, 5000),
    lockTtlMs: opts.lockTtlMs === undefined ? undefined : positiveNumber('--lock-ttl-ms', opts.lockTtlMs, 0),
  };
}

const short = (d: string | undefined) => (d ? (d.startsWith('sha256:') ? `${d.slice(0, 19)}…` : d) : '-');

export const HISTORY_COLUMNS: Column<HistoryEntry>[] = [
  { header: 'VERSION', value: (e) => (e.version === undefined ? '-' : e.in_ssm ? e.version : `${e.version}*`) },
  { header: 'DIGEST', value: (e) => short(e.digest) },
  { header: 'LABELS', value: (e) => e.labels },
  { header: 'WHEN', value: (e) => e.at },
  { header: 'ACTION', value: (e) => e.action },
  { header: 'BY', value: (e) => e.actor, max: 40 },
  { header: 'COMMIT', value: (e) => (e.git_commit ? e.git_commit.slice(0, 12) : undefined) },
  { header: 'OUTCOME', value: (e) => e.outcome },
  { header: 'REASON', value: (e) => e.reason ?? e.error, max: 50 },
];

async function withProgress<T>(out: Output, start: string, run: (log: (line: string) => void) => Promise<T>): Promise<T> {
  const progress = out.progress(start);
  try {
    return await run((line) => progress.update(line));
  } finally {
    progress.stop();
  }
}

export function runtimeCommands(program: Command): void {
  const group = program.command('runtime').description('The agent runtime image: status, publish, rollback and history (AWS credentials, like CI)');
  examples(group, 'bgagent runtime status --env dev', 'bgagent runtime history --env dev');

  const status = withJson(
    group
      .command('status')
      .description('Compare the image pointer with the live runtime (and Terraform state, if given); exit 3 on drift')
      .option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, or dev)')
      .option('--terraform-state <file>', 'terraform.tfstate or `terraform show -json` output to compare too')
      .option('--all', 'every environment in this account and region, side by side (exit 3 if any drifts)'),
  );
  examples(status, 'bgagent runtime status --env dev', 'bgagent runtime status --env prod --terraform-state show.json --json');
  status.action(async (opts: EnvOpts & { terraformState?: string; all?: boolean }) => {
    if (opts.all) return statusAllAction(opts);
    const out = output(opts);
    const [{ runtimeStatus }, { formatStatus }] = await Promise.all([import('../../runtime/status'), import('../../runtime/format')]);
    const report = await runtimeStatus(await open(opts), { terraformState: opts.terraformState });
    out.result(report, () => formatStatus(report));
    jobSummary(formatStatus(report, 'markdown'));
    if (!report.inSync) process.exitCode = 3;
  });

  const publish = withApplyOptions(
    group
      .command('publish')
      .description('Point the runtime at a new image: SSM pointer, UpdateAgentRuntime, wait READY, smoke; restores the previous image on failure')
      .option('--image-digest <digest>', 'sha256:… digest (or <repo url>@sha256:…) in the platform ECR repository')
      .option('--image-tag <tag>', 'tag in the platform ECR repository, resolved to its digest'),
  );
  examples(publish, 'bgagent runtime publish --env dev --image-tag git-3f2a1c', 'bgagent runtime publish --env dev --image-digest sha256:… --smoke-cmd "tsx scripts/smoke-runtime.ts --env dev" --reason "hotfix"');
  publish.action(async (opts: ApplyOpts & { imageDigest?: string; imageTag?: string }) => {
    const out = output(opts);
    if (!opts.imageDigest && !opts.imageTag) throw new ValidationError('give --image-digest or --image-tag', 'USAGE');
    const [{ publishRuntime }, { formatOperation }] = await Promise.all([import('../../runtime/publish'), import('../../runtime/format')]);
    const result = await withProgress(out, `publishing ${opts.imageTag ?? short(opts.imageDigest)}`, async (log) =>
      publishRuntime(await open(opts, log), { imageDigest: opts.imageDigest, imageTag: opts.imageTag, ...applyOptions(opts) }),
    );
    out.result(result, () => formatOperation(result));
    jobSummary(formatOperation(result, 'markdown'));
  });

  const rollback = withApplyOptions(
    group
      .command('rollback')
      .description('Re-publish an earlier image (a new pointer version, audited); default target: the last known good digest')
      .option('--to-version <n>', 'pointer version to return to')
      .option('--to-label <label>', 'pointer label to return to (e.g. previous)')
      .option('--to-digest <digest>', 'digest to return to'),
  );
  examples(rollback, 'bgagent runtime rollback --env dev                # last known good', 'bgagent runtime rollback --env dev --to-label previous', 'bgagent runtime rollback --env dev --to-version 12 --reason "bad release"');
  rollback.action(async (opts: ApplyOpts & { toVersion?: string; toLabel?: string; toDigest?: string }) => {
    const out = output(opts);
    const toVersion = opts.toVersion === undefined ? undefined : Number(opts.toVersion);
    if (toVersion !== undefined && !(Number.isInteger(toVersion) && toVersion > 0)) throw new ValidationError(`--to-version must be a positive integer, got "${opts.toVersion}"`, 'USAGE');
    const [{ rollbackRuntime }, { formatOperation }] = await Promise.all([import('../../runtime/publish'), import('../../runtime/format')]);
    const result = await withProgress(out, 'rolling back', async (log) =>
      rollbackRuntime(await open(opts, log), { toVersion, toLabel: opts.toLabel, toDigest: opts.toDigest, ...applyOptions(opts), reason: opts.reason ?? 'rollback' }),
    );
    out.result(result, () => formatOperation(result));
    jobSummary(formatOperation(result, 'markdown'));
  });

  promoteCommand(group);

  const history = withJson(
    group
      .command('history')
      .description("The pointer's versions with their audit: who, when, commit, outcome (versions older than SSM's 100 come from the audit table, marked *)")
      .option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, or dev)')
      .option('--limit <n>', 'at most this many entries, newest first', '50')
      .option('--digest <digest>', 'the promotion chain of this digest: this environment, then where each got it from'),
  );
  examples(history, 'bgagent runtime history --env dev', 'bgagent runtime history --env prod --limit 200 --json | jq ".entries[] | select(.outcome != \\"succeeded\\")"');
  history.action(async (opts: EnvOpts & { limit: string; digest?: string }) => {
    if (opts.digest) return historyChainAction(runtimeEnv(opts.env, process.env, configuredEnv().env), opts.digest, opts);
    const out = output(opts);
    const limit = positiveNumber('--limit', opts.limit, 50);
    const [{ pointerHistory }, { listAudit }] = await Promise.all([import('../../runtime/pointer'), import('../../runtime/audit')]);
    const ctx = await open(opts);
    const [versions, events] = await Promise.all([pointerHistory(ctx.clients.ssm, ctx.platform.imagePointerParameter), listAudit(ctx)]);
    const entries = joinHistory(versions, events, limit);
    const result = { env: ctx.env, parameter: ctx.platform.imagePointerParameter, entries };
    out.result(result, () => {
      const aged = entries.some((e) => !e.in_ssm && e.version !== undefined);
      return [
        `${ctx.env}: ${ctx.platform.imagePointerParameter}`,
        renderTable(entries, HISTORY_COLUMNS),
        ...(aged ? ['* no longer in SSM (beyond its last 100 versions); from the audit table'] : []),
      ].join('\n');
    });
  });
}
