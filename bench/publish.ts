/**
 * Publish-path overhead: what the tool itself adds to a publish, beyond the time AgentCore spends
 * UPDATING. moto holds the runtime in UPDATING for a fixed delay (its state manager), so
 *
 *   overhead = wall time of one publish − the UPDATING delay
 *   lag      = when our poll first saw READY − when the runtime became READY
 *
 * Aim: overhead under 1 s plus at most one poll interval of lag.
 *
 *   npx tsx bench/publish.ts [--runs N] [--delay-s S] [--poll-ms P] [--cli]
 *
 * --cli also times `tsx scripts/publish-runtime.ts` as CI runs it (process start included).
 * Everything runs against a private moto server on loopback, stopped at the end.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { createClients } from '../src/aws/clients';
import { bootstrapLocal } from '../src/local/bootstrap';
import { pushLocalImage } from '../src/local/images';
import { setRuntimeUpdateDelay, startMoto } from '../src/local/moto';
import { openRuntime, publishRuntime } from '../src/runtime';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg('--runs', 4);
const delayS = arg('--delay-s', 3);
const pollMs = arg('--poll-ms', 1000);
const withCli = process.argv.includes('--cli');

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const moto = await startMoto();
  try {
    Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
    delete process.env.AWS_PROFILE;
    const clients = createClients();
    // Timestamps of the update call returning and of the first READY read after it.
    let updateAt = 0;
    let readyAt = 0;
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === UpdateAgentRuntimeCommand.name) {
          updateAt = performance.now();
          readyAt = 0;
        }
        if (context.commandName === GetAgentRuntimeCommand.name && updateAt && !readyAt && (out.output as { status?: string }).status === 'READY') readyAt = performance.now();
        return out;
      },
      { step: 'initialize', name: 'benchClock' },
    );
    await bootstrapLocal({ env: 'bench', clients });
    const ctx = await openRuntime('bench', { clients, actor: 'bench@local' });
    const images = await Promise.all(['p', 'q'].map((t) => pushLocalImage(clients.ecr, ctx.platform.ecrRepositoryName, t)));

    const measure = async (delay: number) => {
      await setRuntimeUpdateDelay(moto.endpoint, delay);
      const rows: { wall: number; overhead: number; lag: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const result = await publishRuntime(ctx, { imageDigest: images[i % 2]!, pollIntervalMs: pollMs, timeoutMs: 120_000 });
        const wall = performance.now() - started;
        if (result.outcome !== 'published') throw new Error(`run ${i}: ${result.outcome}`);
        const lag = delay > 0 && readyAt ? Math.max(0, readyAt - (updateAt + delay * 1000)) : 0;
        rows.push({ wall, overhead: wall - delay * 1000, lag });
      }
      return rows;
    };

    console.log(`publish bench: ${runs} publishes per row, poll interval ${pollMs} ms, moto on loopback`);
    console.log('');
    console.log('UPDATING held   wall p50    overhead p50  overhead max    lag after READY max   overhead − lag max');
    let ok = true;
    for (const delay of [0, delayS]) {
      const rows = await measure(delay);
      const over = rows.map((r) => r.overhead);
      const lag = rows.map((r) => r.lag);
      const net = rows.map((r) => r.overhead - r.lag);
      ok &&= Math.max(...net) < 1000 && Math.max(...lag) <= pollMs;
      console.log(`${String(delay).padStart(6)} s     ${fmt(pct(rows.map((r) => r.wall), 50))}   ${fmt(pct(over, 50))}     ${fmt(Math.max(...over))}     ${fmt(Math.max(...lag))}           ${fmt(Math.max(...net))}`);
    }
    console.log('');
    console.log(`aim: overhead − lag < 1000 ms and lag ≤ one poll interval (${pollMs} ms): ${ok ? 'met' : 'NOT met'}`);

    if (withCli) {
      await setRuntimeUpdateDelay(moto.endpoint, 0);
      const walls: number[] = [];
      for (let i = 0; i < Math.min(runs, 3); i++) {
        const started = performance.now();
        const run = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/publish-runtime.ts', '--env', 'bench', '--image-digest', images[i % 2]!, '--json'], {
          cwd: ROOT,
          env: process.env,
          encoding: 'utf8',
        });
        walls.push(performance.now() - started);
        if (run.status !== 0) throw new Error(`publish-runtime.ts exited ${run.status}: ${run.stderr}`);
      }
      console.log(`tsx scripts/publish-runtime.ts (process start included, UPDATING 0 s): p50 ${fmt(pct(walls, 50))}, max ${fmt(Math.max(...walls))}`);
    }
  } finally {
    await moto.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
