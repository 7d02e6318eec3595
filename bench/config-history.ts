/**
 * What recording every repository change costs: a PATCH's storage work (the consistent read of the
 * row, then its write) with the event (one TransactWriteItems: the row, conditional on its version,
 * and the audit event) against the same with the row written alone (a conditional PutItem, as
 * before events were recorded), on a private moto. HTTP, auth and guardrails are left out: they
 * are the same either way, and would only shrink the ratio.
 *
 *   npx tsx bench/config-history.ts [--writes N]
 *
 * p50 of N sequential writes each, and their ratio. Aim: < 1.3×. moto stands in for DynamoDB, so
 * absolute figures say more about the emulator than about AWS; the ratio is the figure to watch.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConfigAudit } from '../src/audit/config';
import { createClients } from '../src/aws/clients';
import { bootstrapLocal } from '../src/local/bootstrap';
import { repoChange } from '../src/repos/history';
import type { RepoConfig } from '../src/repos/repo-config';
import { onboardedRow, patchedRow } from '../src/repos/rows';
import { RepoStore } from '../src/repos/store';
import { startBenchEmulator } from './emulator';
import { printFigures } from './figures';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const WRITES = arg('--writes', 200);
const AIM = 1.3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const moto = await startBenchEmulator();
  try {
    const clients = createClients();
    const env = 'benchhist';
    const { platform } = await bootstrapLocal({ env, clients });
    const store = new RepoStore(clients.doc, platform.tables.repos);
    const audit = new ConfigAudit(clients.doc, platform.tables.audit, env);
    const condition = (version: number) => ({
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':v': version },
    });

    // Each variant patches its own row WRITES times, as PATCH does: read version, write version + 1.
    const run = async (repo: string, write: (before: RepoConfig, after: RepoConfig) => Promise<void>) => {
      let row: RepoConfig = { ...onboardedRow({ repo }, new Date()), status: 'active' };
      await clients.doc.send(new PutCommand({ TableName: platform.tables.repos, Item: row }));
      const times: number[] = [];
      for (let i = 0; i < WRITES; i++) {
        const next = patchedRow(row, { max_turns: (i % 400) + 1 }, new Date()).row;
        const t0 = performance.now();
        // As PATCH does: a consistent read of the row, then the conditional write.
        await store.get(repo);
        await write(row, next);
        times.push(performance.now() - t0);
        row = next;
      }
      return median(times);
    };

    const alone = await run('bench/alone', (before, after) =>
      clients.doc.send(new PutCommand({ TableName: platform.tables.repos, Item: after, ...condition(before.version) })).then(() => undefined),
    );
    const withEvent = await run('bench/with-event', (before, after) =>
      store.replace(
        after,
        before.version,
        audit.putOf(
          audit.event('repos', { action: 'update', actor: 'bench', subject: after.repo, version: after.version, ...repoChange(before, after, false) }),
        ),
      ),
    );
    const ratio = withEvent / alone;
    console.log(`config history: ${WRITES} PATCHes each (read + conditional write)`);
    console.log(`  row alone (conditional PutItem)         p50 ${alone.toFixed(1)} ms`);
    console.log(`  row + event (TransactWriteItems)        p50 ${withEvent.toFixed(1)} ms`);
    console.log(`  ratio                                   ${ratio.toFixed(2)}× (aim < ${AIM}×) ${ratio < AIM ? 'ok' : 'MISSED'}`);
    printFigures('config-history', [
      { name: 'PATCH read+write p50, row alone', value: Number(alone.toFixed(2)), unit: 'ms' },
      { name: 'PATCH read+write p50, row + event', value: Number(withEvent.toFixed(2)), unit: 'ms' },
      { name: 'PATCH with event / without', value: Number(ratio.toFixed(2)), unit: '×', aim: `< ${AIM}×`, ok: ratio < AIM },
    ]);
  } finally {
    await moto.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
