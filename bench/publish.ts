/**
 * Publish-path overhead: what the tool itself adds to a publish, beyond the time AgentCore spends
 * UPDATING. moto holds the runtime in UPDATING for a fixed delay (its state manager), so
 *
 *   overhead = wall time of one publish − the UPDATING delay
 *   lag      = when our poll first saw READY − when the runtime became READY
 *
 * Aim: overhead under 1 s plus at most one poll interval of lag.
 *
 * Rollback, both paths, with the same fixed UPDATING hold:
 *   fast = a runtime version still serves the target: pointer + move `live`, no UpdateAgentRuntime
 *   slow = AgentCore no longer lists that version (pruned here by SDK middleware): a forward publish
 * Aim: the fast path within one poll interval plus 1 s (plus the endpoint move delay, if set).
 *
 *   npx tsx bench/publish.ts [--runs N] [--delay-s S] [--poll-ms P] [--endpoint-delay-s E] [--cli]
 *
 * --cli also times `tsx scripts/publish-runtime.ts` as CI runs it (process start included).
 * Everything runs against a private moto server on loopback, stopped at the end.
 */
import { fmtMs, startBenchEmulator } from './emulator';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  GetAgentRuntimeCommand,
  ListAgentRuntimeVersionsCommand,
  UpdateAgentRuntimeCommand,
  type ListAgentRuntimeVersionsCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { createClients } from '../src/aws/clients';
import { bootstrapLocal } from '../src/local/bootstrap';
import { pushLocalImage } from '../src/local/images';
import { setEndpointUpdateDelay, setRuntimeUpdateDelay } from '../src/local/moto';
import { openRuntime, publishRuntime, rollbackRuntime } from '../src/runtime';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg('--runs', 4);
const delayS = arg('--delay-s', 3);
const pollMs = arg('--poll-ms', 1000);
const endpointDelayS = arg('--endpoint-delay-s', 0);
const withCli = process.argv.includes('--cli');

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = fmtMs;

async function main(): Promise<void> {
  const moto = await startBenchEmulator();
  try {
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
        if (context.commandName === GetAgentRuntimeCommand.name && updateAt && !readyAt && (out.output as { status?: string }).status === 'READY')
          readyAt = performance.now();
        return out;
      },
      { step: 'initialize', name: 'benchClock' },
    );
    // The slow rollback path: AgentCore no longer lists older versions (it may delete them).
    let pruneVersions = false;
    let updates = 0;
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === UpdateAgentRuntimeCommand.name) updates++;
        const out = await next(args);
        if (pruneVersions && context.commandName === ListAgentRuntimeVersionsCommand.name) {
          const body = out.output as ListAgentRuntimeVersionsCommandOutput;
          const newest = Math.max(...(body.agentRuntimes ?? []).map((v) => Number(v.agentRuntimeVersion)));
          body.agentRuntimes = (body.agentRuntimes ?? []).filter((v) => Number(v.agentRuntimeVersion) === newest);
        }
        return out;
      },
      { step: 'initialize', name: 'benchPrune' },
    );
    await bootstrapLocal({ env: 'bench', clients });
    const ctx = await openRuntime('bench', { clients, actor: 'bench@local' });
    const images = await Promise.all(['p', 'q'].map((t) => pushLocalImage(clients.ecr, ctx.platform.ecrRepositoryName, t)));

    let n = 0; // alternates p/q across rows, so no publish is a no-op
    const measure = async (delay: number) => {
      await setRuntimeUpdateDelay(moto.endpoint, delay);
      const rows: { wall: number; overhead: number; lag: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const result = await publishRuntime(ctx, { imageDigest: images[n++ % 2]!, pollIntervalMs: pollMs, timeoutMs: 120_000 });
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
      console.log(
        `${String(delay).padStart(6)} s     ${fmt(
          pct(
            rows.map((r) => r.wall),
            50,
          ),
        )}   ${fmt(pct(over, 50))}     ${fmt(Math.max(...over))}     ${fmt(Math.max(...lag))}           ${fmt(Math.max(...net))}`,
      );
    }
    console.log('');
    console.log(`aim: overhead − lag < 1000 ms and lag ≤ one poll interval (${pollMs} ms): ${ok ? 'met' : 'NOT met'}`);

    // Rollback: live on q, back to p; then q again (a forward publish) for the next run.
    await setRuntimeUpdateDelay(moto.endpoint, delayS);
    await setEndpointUpdateDelay(moto.endpoint, endpointDelayS);
    const rollbackRows: Record<'fast' | 'slow', number[]> = { fast: [], slow: [] };
    for (const path of ['fast', 'slow'] as const) {
      for (let i = 0; i < runs; i++) {
        await publishRuntime(ctx, { imageDigest: images[0]!, pollIntervalMs: pollMs, timeoutMs: 120_000 });
        await publishRuntime(ctx, { imageDigest: images[1]!, pollIntervalMs: pollMs, timeoutMs: 120_000 });
        pruneVersions = path === 'slow';
        const before = updates;
        const started = performance.now();
        const result = await rollbackRuntime(ctx, { toDigest: images[0]!, pollIntervalMs: pollMs, timeoutMs: 120_000 });
        rollbackRows[path].push(performance.now() - started);
        pruneVersions = false;
        const expected = path === 'fast' ? 'fast' : 'forward';
        if (result.path !== expected) throw new Error(`rollback run ${i}: took the ${result.path} path, expected ${expected}`);
        if (path === 'fast' && updates !== before) throw new Error('fast rollback sent UpdateAgentRuntime');
      }
    }
    await setEndpointUpdateDelay(moto.endpoint, 0);
    const fastAim = pollMs + 1000 + endpointDelayS * 1000;
    const fastOk = Math.max(...rollbackRows.fast) <= fastAim;
    console.log('');
    console.log(`rollback bench: UPDATING held ${delayS} s, endpoint move ${endpointDelayS} s, poll interval ${pollMs} ms, ${runs} runs per path`);
    console.log('path                                    p50          max');
    console.log(`fast (existing version, no update)  ${fmt(pct(rollbackRows.fast, 50))}   ${fmt(Math.max(...rollbackRows.fast))}`);
    console.log(`slow (version gone: forward)        ${fmt(pct(rollbackRows.slow, 50))}   ${fmt(Math.max(...rollbackRows.slow))}`);
    console.log(`aim: fast path ≤ one poll interval + 1 s${endpointDelayS ? ' + the endpoint move' : ''} (${fastAim} ms): ${fastOk ? 'met' : 'NOT met'}`);
    ok &&= fastOk;

    if (withCli) {
      await setRuntimeUpdateDelay(moto.endpoint, 0);
      const walls: number[] = [];
      for (let i = 0; i < Math.min(runs, 3); i++) {
        const started = performance.now();
        const run = spawnSync(
          path.join(ROOT, 'node_modules/.bin/tsx'),
          // The platform's canary check is timed in bench/release.ts; this times the publish itself.
          ['scripts/publish-runtime.ts', '--env', 'bench', '--image-digest', images[i % 2]!, '--no-canary-check', '--json'],
          {
            cwd: ROOT,
            env: process.env,
            encoding: 'utf8',
          },
        );
        walls.push(performance.now() - started);
        if (run.status !== 0) throw new Error(`publish-runtime.ts exited ${run.status}: ${run.stderr}`);
      }
      console.log(`tsx scripts/publish-runtime.ts (process start included, UPDATING 0 s): p50 ${fmt(pct(walls, 50))}, max ${fmt(Math.max(...walls))}`);
    }
    if (!ok) process.exitCode = 1;
  } finally {
    await moto.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
