/**
 * What a release's own protection costs and how fast it acts (docs/deployment.md, "Releases that
 * protect themselves"):
 *   - the platform's canary check (digest, invocation through the local data plane and the stub
 *     agent) over a publish without it;
 *   - the time from a bake breach (failed task rows appear) to `live` back on the previous version
 *     (fast path). Aim: ≤ one bake poll + 1 s.
 *
 *   npx tsx bench/release.ts [--runs N] [--poll-ms MS]
 *
 * Runs against a private moto server and data plane on loopback, stopped at the end.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { fmtMs, startBenchEmulator } from './emulator';
import { printFigures } from './figures';
import { createClients } from '../src/aws/clients';
import { startAgentCoreDataPlane } from '../src/local/agentcore-data-plane';
import { bootstrapLocal } from '../src/local/bootstrap';
import { pushLocalImage } from '../src/local/images';
import { openRuntime, publishRuntime } from '../src/runtime';
import { bakeRuntime } from '../src/runtime/verbs/bake';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { releasePolicyParameter } from '../src/platform/release-policy';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg('--runs', 3);
const pollMs = arg('--poll-ms', 1000);
const FAST = { pollIntervalMs: 50, timeoutMs: 60_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const moto = await startBenchEmulator();
  const plane = await startAgentCoreDataPlane({ controlEndpoint: moto.endpoint, agentEnv: { ABCA_HEARTBEAT_MS: '1000' } });
  process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = plane.endpoint;
  try {
    const clients = createClients();
    const { platform } = await bootstrapLocal({ env: 'brel', clients });
    const ctx = await openRuntime('brel', { clients, actor: 'bench' });
    const withCheck: number[] = [];
    const without: number[] = [];
    for (let r = 0; r < runs; r++) {
      await pushLocalImage(clients.ecr, platform.ecrRepositoryName, `w${r}`);
      await pushLocalImage(clients.ecr, platform.ecrRepositoryName, `o${r}`);
      let t = performance.now();
      await publishRuntime(ctx, { imageTag: `w${r}`, canaryCheck: true, ...FAST });
      withCheck.push(performance.now() - t);
      t = performance.now();
      await publishRuntime(ctx, { imageTag: `o${r}`, ...FAST });
      without.push(performance.now() - t);
    }

    // Breach → live back: a bake watching the newest publish, failed rows written at t0.
    await clients.ssm.send(
      new PutParameterCommand({
        Name: releasePolicyParameter('brel'),
        Value: JSON.stringify({ bake: { window_minutes: 60, min_tasks: 1 } }),
        Type: 'String',
        Overwrite: true,
      }),
    );
    const restore: number[] = [];
    for (let r = 0; r < runs; r++) {
      await pushLocalImage(clients.ecr, platform.ecrRepositoryName, `b${r}`);
      const pub = await publishRuntime(ctx, { imageTag: `b${r}`, ...FAST });
      const bake = bakeRuntime(ctx, { bakePollMs: pollMs, ...FAST }).then(
        () => undefined,
        (e: { details?: { restoredAt?: number } }) => e.details?.restoredAt,
      );
      // Somewhere inside a poll interval, as traffic would.
      await new Promise((res) => setTimeout(res, pollMs / 2));
      const t0 = Date.now();
      const at = new Date(t0).toISOString();
      await clients.doc.send(
        new PutCommand({
          TableName: platform.tables.tasks,
          Item: {
            task_id: `task-${String(r).padStart(32, 'b')}`,
            repo: 'bench/app',
            description: 'x',
            status: 'FAILED',
            status_reason: 'the agent session could not be started: bench',
            request_hash: 'h',
            submitted_by: 'user:bench',
            created_at: at,
            updated_at: at,
            started_at: at,
            finished_at: at,
            runtime_version: pub.runtimeVersion,
            runtime_qualifier: 'live',
            version: 2,
          },
        }),
      );
      const restoredAt = await bake;
      if (restoredAt === undefined) throw new Error('the bake did not breach');
      restore.push(restoredAt - t0);
    }
    const aim = pollMs + 1000;
    process.stdout.write(
      [
        `release bench: ${runs} runs (median)`,
        `  publish with the canary check (digest + invocation)  ${fmtMs(median(withCheck))}`,
        `  publish without it                                   ${fmtMs(median(without))}`,
        `  canary check overhead                                ${fmtMs(median(withCheck) - median(without))}`,
        `  bake breach → live back on the previous version      ${fmtMs(median(restore))} (max ${fmtMs(Math.max(...restore))}; aim ≤ one poll + 1 s = ${aim} ms: ${Math.max(...restore) <= aim ? 'met' : 'NOT met'})`,
        '',
      ].join('\n'),
    );
    printFigures('release', [
      { name: 'canary check overhead', value: median(withCheck) - median(without), unit: 'ms' },
      { name: 'bake breach → live restored (median)', value: median(restore), unit: 'ms' },
      { name: 'bake breach → live restored (max)', value: Math.max(...restore), unit: 'ms' },
    ]);
  } finally {
    await plane.stop();
    await moto.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
