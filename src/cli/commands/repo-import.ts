/**
 * `bgagent repo import --from-table <name>`: an upstream ABCA RepoTable into this environment, with
 * AWS credentials (a table read, not an API call). A dry run unless `--apply`.
 */
import type { Command } from 'commander';
import type { ImportItem } from '../../repos/import';
import { examples, output, withJson, type JsonOpts } from '../common';
import { readConfig } from '../config';
import { renderTable, type Column } from '../output';
import { runtimeEnv } from './runtime';

const COLUMNS: Column<ImportItem>[] = [
  { header: 'REPO', value: (i) => i.repo },
  { header: 'ACTION', value: (i) => i.action },
  { header: 'DETAIL', value: (i) => i.reason ?? i.changed?.join(', '), max: 80 },
];

/** Pure: the import's report for humans. */
export function renderImport(table: string, plan: ImportItem[], applied: boolean): string {
  const writes = plan.filter((i) => i.action === 'create' || i.action === 'update').length;
  const tail = !writes
    ? 'nothing to write: this environment already holds these rows'
    : applied
      ? `${writes} row(s) written from ${table}`
      : `dry run: ${writes} row(s) would be written; run again with --apply`;
  return `${renderTable(plan, COLUMNS)}\n${tail}`;
}

export function repoImportCommand(repo: Command): void {
  const cmd = withJson(
    repo
      .command('import')
      .description("Copy an upstream ABCA RepoTable's rows into this environment as IaC rows (a dry run unless --apply; running it again changes nothing)")
      .requiredOption('--from-table <name>', 'the upstream RepoTable (DynamoDB table name, same account and region)')
      .option('--apply', 'write the rows (default: only report what would change)')
      .option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, else dev)'),
  );
  examples(
    cmd,
    'bgagent repo import --from-table abca-RepoTable1234 --env dev',
    'bgagent repo import --from-table abca-RepoTable1234 --env dev --apply --json',
  );
  cmd.action(async (opts: JsonOpts & { fromTable: string; apply?: boolean; env?: string }) => {
    let configured: { env?: string; region?: string } = {};
    try {
      const c = readConfig();
      configured = { env: c?.env, region: c?.region };
    } catch {
      // No usable config: --env and the AWS environment decide.
    }
    const env = runtimeEnv(opts.env, process.env, configured.env);
    const [{ createClients }, { loadPlatformConfig }, { ConfigAudit }, { defaultActor }, { RepoStore }, { importRepoTable }] = await Promise.all([
      import('../../aws/clients'),
      import('../../platform/platform-config'),
      import('../../audit/config'),
      import('../../runtime/context'),
      import('../../repos/store'),
      import('../../repos/import'),
    ]);
    const clients = createClients({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? configured.region });
    const platform = await loadPlatformConfig(clients.ssm, env);
    const plan = await importRepoTable(
      {
        doc: clients.doc,
        store: new RepoStore(clients.doc, platform.tables.repos),
        audit: new ConfigAudit(clients.doc, platform.tables.audit, env),
        actor: defaultActor(),
      },
      opts.fromTable,
      { apply: !!opts.apply },
    );
    const items = plan.map(({ row: _row, expectedVersion: _v, ...rest }) => rest);
    output(opts).result({ from_table: opts.fromTable, applied: !!opts.apply, items }, () => renderImport(opts.fromTable, plan, !!opts.apply));
  });
}
