/**
 * `bgagent runtime status | publish | rollback | history | reapply`: the application layer, with
 * AWS credentials like CI (not through the API). Flags, descriptions and option parsing come from
 * the verb folders in src/runtime/verbs/, the same ones scripts/*-runtime.ts use.
 */
import { appendFileSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveEnv } from '../../platform/names';
import type { RuntimeContext } from '../../runtime/context';
import type { HistoryEntry } from '../../runtime/history';
import { addFlags } from '../../runtime/options';
import { BAKE_DESCRIPTION, BAKE_EXAMPLES, BAKE_FLAGS, bakeOptionsFromFlags, type BakeFlagValues } from '../../runtime/verbs/bake/options';
import { HISTORY_DESCRIPTION, HISTORY_EXAMPLES, HISTORY_FLAGS } from '../../runtime/verbs/history/options';
import { PUBLISH_DESCRIPTION, PUBLISH_EXAMPLES, PUBLISH_FLAGS, publishOptionsFromFlags, type PublishFlagValues } from '../../runtime/verbs/publish/options';
import { REAPPLY_DESCRIPTION, REAPPLY_EXAMPLES, REAPPLY_FLAGS, reapplyOptionsFromFlags } from '../../runtime/verbs/reapply/options';
import {
  ROLLBACK_DESCRIPTION,
  ROLLBACK_EXAMPLES,
  ROLLBACK_FLAGS,
  rollbackOptionsFromFlags,
  type RollbackFlagValues,
} from '../../runtime/verbs/rollback/options';
import { STATUS_ALL_FLAG, STATUS_DESCRIPTION, STATUS_EXAMPLES, STATUS_FLAGS } from '../../runtime/verbs/status/options';
import { examples, output, positiveNumber, withJson, type JsonOpts } from '../common';
import { readConfig } from '../config';
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

  const envOption = (cmd: Command) => cmd.option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, or dev)');
  const asBgagent = (line: string) =>
    line.replace(/^tsx scripts\/(publish|rollback)-runtime\.ts/, 'bgagent runtime $1').replace(/^tsx scripts\/runtime-status\.ts/, 'bgagent runtime status');
  const verb = (name: string, description: string, flags: Parameters<typeof addFlags>[1], lines: readonly string[]) => {
    const cmd = withJson(addFlags(envOption(group.command(name).description(description)), flags));
    examples(cmd, ...lines.map(asBgagent));
    return cmd;
  };

  verb('status', STATUS_DESCRIPTION, [...STATUS_FLAGS, STATUS_ALL_FLAG], STATUS_EXAMPLES).action(
    async (opts: EnvOpts & { terraformState?: string; all?: boolean }) => {
      if (opts.all) return statusAllAction(opts);
      const out = output(opts);
      const [{ runtimeStatus }, { formatStatus }] = await Promise.all([import('../../runtime/verbs/status'), import('../../runtime/verbs/status/format')]);
      const report = await runtimeStatus(await open(opts), { terraformState: opts.terraformState });
      out.result(report, () => formatStatus(report));
      jobSummary(formatStatus(report, 'markdown'));
      if (!report.inSync) process.exitCode = 3;
    },
  );

  verb('publish', PUBLISH_DESCRIPTION, PUBLISH_FLAGS, PUBLISH_EXAMPLES).action(async (opts: EnvOpts & PublishFlagValues) => {
    const out = output(opts);
    const options = publishOptionsFromFlags(opts);
    const [{ publishRuntime }, { formatOperation }] = await Promise.all([import('../../runtime/verbs/publish'), import('../../runtime/format')]);
    const result = await withProgress(out, `publishing ${opts.imageTag ?? short(opts.imageDigest)}`, async (log) =>
      publishRuntime(await open(opts, log), options),
    );
    const { formatBake } = await import('../../runtime/format');
    const bake = result.bake ? `\n${formatBake(result.bake)}` : '';
    out.result(result, () => formatOperation(result) + bake);
    jobSummary(formatOperation(result, 'markdown') + bake);
  });

  verb('rollback', ROLLBACK_DESCRIPTION, ROLLBACK_FLAGS, ROLLBACK_EXAMPLES).action(async (opts: EnvOpts & RollbackFlagValues) => {
    const out = output(opts);
    const options = rollbackOptionsFromFlags(opts);
    const [{ rollbackRuntime }, { formatOperation }] = await Promise.all([import('../../runtime/verbs/rollback'), import('../../runtime/format')]);
    const result = await withProgress(out, 'rolling back', async (log) => rollbackRuntime(await open(opts, log), options));
    out.result(result, () => formatOperation(result));
    jobSummary(formatOperation(result, 'markdown'));
  });

  verb('reapply', REAPPLY_DESCRIPTION, REAPPLY_FLAGS, REAPPLY_EXAMPLES).action(
    async (opts: EnvOpts & { reason?: string; dryRun?: boolean; pollIntervalMs?: string; timeoutMs?: string }) => {
      const out = output(opts);
      const options = reapplyOptionsFromFlags(opts);
      const [{ reapplyPointer }, { formatOperation }] = await Promise.all([import('../../runtime/verbs/reapply'), import('../../runtime/format')]);
      const result = await withProgress(out, 're-applying the pointer', async (log) => reapplyPointer(await open(opts, log), options));
      out.result(result, () => (result.operation ? formatOperation(result.operation) : `${result.digest}: ${result.changed ? 're-applied' : 'already live'}`));
    },
  );

  verb('bake', BAKE_DESCRIPTION, [...BAKE_FLAGS, { flags: '--poll-interval-ms <ms>', description: 'poll interval of a rollback', hidden: true }], BAKE_EXAMPLES)
    .addHelpText(
      'after',
      '\nExit: 0 passed, or not enough traffic (neither passed nor failed: see "verdict"), 1 breach (live moved back), 2 nothing to bake or bad input\n',
    )
    .action(async (opts: EnvOpts & BakeFlagValues & { pollIntervalMs?: string }) => {
      const out = output(opts);
      const [{ bakeRuntime }, { formatBake }, { positive }] = await Promise.all([
        import('../../runtime/verbs/bake'),
        import('../../runtime/format'),
        import('../../runtime/options'),
      ]);
      const options = { ...bakeOptionsFromFlags(opts), pollIntervalMs: positive('--poll-interval-ms', opts.pollIntervalMs) };
      const result = await withProgress(out, 'baking', async (log) => bakeRuntime(await open(opts, log), options));
      out.result(result, () => formatBake(result));
      jobSummary(formatBake(result));
    });

  promoteCommand(group);

  verb('history', HISTORY_DESCRIPTION, HISTORY_FLAGS, HISTORY_EXAMPLES)
    .option('--digest <digest>', 'the promotion chain of this digest: this environment, then where each got it from')
    .action(async (opts: EnvOpts & { limit: string; digest?: string }) => {
      if (opts.digest) return historyChainAction(runtimeEnv(opts.env, process.env, configuredEnv().env), opts.digest, opts);
      const out = output(opts);
      const limit = positiveNumber('--limit', opts.limit, 50);
      const { runtimeHistory } = await import('../../runtime/verbs/history');
      const ctx = await open(opts);
      const result = await runtimeHistory(ctx, limit);
      const { entries } = result;
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
