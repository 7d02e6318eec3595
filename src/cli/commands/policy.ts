/**
 * `bgagent guardrails show|set|edit`, `bgagent promotion-policy show|set|edit`: validated edits of
 * the policy parameters (src/repos/policy-params.ts), with AWS credentials like `runtime` (SSM and
 * the audit table, not the API). One command per registered parameter.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { OperationFailedError, ValidationError } from '../../errors';
import type { PolicyDeps, PolicySet, PolicyShown } from '../../repos/policy-edit';
import { POLICY_PARAMETERS, type PolicyParameter } from '../../repos/policy-params';
import { examples, output, withJson, type JsonOpts } from '../common';
import { readConfig } from '../config';
import { cell } from '../output';
import { runtimeEnv } from './runtime';

interface PolicyOpts extends JsonOpts {
  env?: string;
}

async function open(opts: PolicyOpts): Promise<PolicyDeps> {
  let configured: { env?: string; region?: string } = {};
  try {
    const c = readConfig();
    configured = { env: c?.env, region: c?.region };
  } catch {
    // No usable config: --env and the AWS environment decide.
  }
  const env = runtimeEnv(opts.env, process.env, configured.env);
  const [{ createClients }, { loadPlatformConfig }, { ConfigAudit }, { defaultActor }] = await Promise.all([
    import('../../aws/clients'),
    import('../../platform/platform-config'),
    import('../../audit/config'),
    import('../../runtime/context'),
  ]);
  const clients = createClients({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? configured.region });
  const platform = await loadPlatformConfig(clients.ssm, env);
  return {
    ssm: clients.ssm,
    env,
    actor: defaultActor(),
    audit: new ConfigAudit(clients.doc, platform.tables.audit, env),
  };
}

/** Pure: a set's outcome for humans. */
export function renderSet(r: PolicySet, dryRun: boolean): string {
  if (!r.changed.length) return `${r.parameter} already holds this value (version ${r.version}); nothing written`;
  const lines = r.changed.map((f) => `  ${f}: ${cell(r.before[f])} → ${cell(r.after[f])}`);
  const head = r.written
    ? `${r.parameter}: version ${r.from_version} → ${r.version}`
    : `${r.parameter} (version ${r.from_version})${dryRun ? ', dry run: nothing written' : ''}`;
  return [head, ...lines].join('\n');
}

/** Pure: a stored value for humans, with what the readers would say about it. */
export function renderShown(s: PolicyShown): string {
  const head = `${s.parameter} (version ${s.version})${s.valid ? '' : ` INVALID: ${s.problem}`}`;
  return s.value === undefined ? `${head}${s.raw !== undefined ? `\n${s.raw}` : ''}` : `${head}\n${JSON.stringify(s.value, null, 2)}`;
}

function readValue(opts: { file?: string; value?: string }): { text: string; source: string } {
  if ((opts.file === undefined) === (opts.value === undefined))
    throw new ValidationError('give the new document with exactly one of --file or --value', 'VALIDATION_ERROR');
  if (opts.value !== undefined) return { text: opts.value, source: '--value' };
  try {
    return { text: readFileSync(opts.file!, 'utf8'), source: opts.file! };
  } catch (e) {
    throw new ValidationError(`--file: cannot read ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'VALIDATION_ERROR');
  }
}

/** Opens $VISUAL/$EDITOR on `text` and returns what was saved. */
function editText(text: string, name: string): string {
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw new ValidationError('set $EDITOR (or $VISUAL) to edit, or use set --file', 'VALIDATION_ERROR');
  const dir = mkdtempSync(path.join(tmpdir(), 'bgagent-policy-'));
  const file = path.join(dir, `${name}.json`);
  try {
    writeFileSync(file, text);
    // Through the shell: EDITOR is often "code --wait" or "vim -n".
    const run = spawnSync(`${editor} "${file}"`, { shell: true, stdio: 'inherit' });
    if (run.status !== 0)
      throw new OperationFailedError(`the editor (${editor}) exited with ${run.status ?? run.signal}; nothing was written`, 'OPERATION_FAILED');
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function policyCommand(program: Command, policy: PolicyParameter): void {
  const envFlag = (cmd: Command) => withJson(cmd).option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, else dev)');
  const group = program.command(policy.key).description(`Show and change /abca/<env>/${policy.key} (${policy.description}), validated before it is written`);
  examples(group, `bgagent ${policy.key} show --env dev`, `bgagent ${policy.key} edit --env dev`);

  const show = envFlag(group.command('show').description(`Print the stored ${policy.key} and whether its readers accept it (exit 1 when they would not)`));
  examples(show, `bgagent ${policy.key} show --env dev`, `bgagent ${policy.key} show --env dev --json | jq .value`);
  show.action(async (opts: PolicyOpts) => {
    const { showPolicy } = await import('../../repos/policy-edit');
    const shown = await showPolicy(await open(opts), policy);
    output(opts).result(shown, () => renderShown(shown));
    if (!shown.valid) process.exitCode = 1;
  });

  const set = envFlag(
    group
      .command('set')
      .description(`Replace the ${policy.key} document, refused (naming the field) when its readers would not accept it`)
      .option('--file <file>', 'the new JSON document')
      .option('--value <json>', 'the new JSON document, inline')
      .option('--reason <text>', 'recorded in the audit event')
      .option('--dry-run', 'validate and show the change; write nothing'),
  );
  examples(set, `bgagent ${policy.key} set --env dev --file ${policy.key}.json`, `bgagent ${policy.key} set --env dev --value '${policy.example}' --dry-run`);
  set.action(async (opts: PolicyOpts & { file?: string; value?: string; reason?: string; dryRun?: boolean }) => {
    const { text, source } = readValue(opts);
    const { setPolicy } = await import('../../repos/policy-edit');
    const result = await setPolicy(await open(opts), policy, text, { source, dryRun: opts.dryRun, reason: opts.reason });
    output(opts).result(result, () => renderSet(result, !!opts.dryRun));
  });

  const edit = envFlag(
    group
      .command('edit')
      .description(`Open $EDITOR on the current ${policy.key}; the saved document is validated and written, or refused naming the field`)
      .option('--reason <text>', 'recorded in the audit event'),
  );
  examples(edit, `EDITOR=vim bgagent ${policy.key} edit --env dev`);
  edit.action(async (opts: PolicyOpts & { reason?: string }) => {
    const { setPolicy, showPolicy } = await import('../../repos/policy-edit');
    const deps = await open(opts);
    const shown = await showPolicy(deps, policy);
    const text = editText(shown.value === undefined ? (shown.raw ?? '{}') : `${JSON.stringify(shown.value, null, 2)}\n`, policy.key);
    const result = await setPolicy(deps, policy, text, { source: `the edited ${policy.key}`, reason: opts.reason });
    output(opts).result(result, () => renderSet(result, false));
  });
}

export function policyCommands(program: Command): void {
  for (const policy of POLICY_PARAMETERS) policyCommand(program, policy);
}
