/**
 * The repository API under load, and every Lambda handler's size and cold start.
 *
 *   npx tsx bench/api.ts [--onboard N] [--get N] [--list N] [--concurrency C] [--init-runs R]
 *
 * HTTP: onboard (POST /v1/repos), get (GET /v1/repos/{owner}/{repo}) and list (GET /v1/repos,
 * 50 per page) against the local server on a private moto, with a Cognito access token; p50/p99
 * latency and requests per second at the given concurrency. moto stands in for DynamoDB, Cognito
 * and SSM, so absolute figures say more about the emulator than about AWS; compare runs.
 *
 * Lambda: each handler bundled as it deploys (esbuild, AWS SDK external); index.js size, the zip
 * the stack uploads, and cold init (loading index.js in a fresh Node process, SDK included), the
 * median of --init-runs. Aim: bundle under 1 MB, init under 300 ms.
 */
import { startBenchEmulator } from './emulator';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { GetCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { takeSlot } from '../src/repos/counter';
import { silentLogger } from '../src/platform/logging';
import { startApiServer } from '../src/api/server';
import { createClients } from '../src/aws/clients';
import { bundleHandlers, REPO_ROOT } from '../src/build/handlers';
import { ensureLocalUser } from '../src/local/admin-user';
import { bootstrapLocal } from '../src/local/bootstrap';
import { DEFAULT_GUARDRAILS } from '../src/platform/guardrails';
import { printFigures, type Figure } from './figures';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const N = { onboard: arg('--onboard', 300), get: arg('--get', 1000), list: arg('--list', 300) };
const CONCURRENCY = arg('--concurrency', 8);
const INIT_RUNS = arg('--init-runs', 7);
const BUNDLE_AIM = 1024 * 1024;
const INIT_AIM_MS = 300;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const median = (xs: number[]) => pct(xs, 50);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
/** Every figure printed, for the BENCH-FIGURES line at the end. */
const figures: Figure[] = [];

/** Runs `count` requests, `concurrency` at a time; each must answer `expect`. */
async function load(label: string, count: number, request: (i: number) => Promise<Response>, expectStatus: number): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const res = await request(i);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== expectStatus) throw new Error(`${label} #${i}: HTTP ${res.status}, expected ${expectStatus}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  figures.push(
    { name: `${label} p50`, value: pct(latencies, 50), unit: 'ms' },
    { name: `${label} p99`, value: pct(latencies, 99), unit: 'ms' },
    { name: `${label} throughput`, value: Math.round(count / seconds), unit: 'req/s' },
  );
  console.log(
    `${label.padEnd(8)} ${String(count).padStart(5)} req  p50 ${pct(latencies, 50).toFixed(1).padStart(6)} ms  p99 ${pct(latencies, 99).toFixed(1).padStart(6)} ms  ${(count / seconds).toFixed(0).padStart(5)} req/s`,
  );
}

async function http(): Promise<void> {
  const moto = await startBenchEmulator();
  const api = await (async () => {
    const clients = createClients();
    const { platform } = await bootstrapLocal({ env: 'bench', clients });
    await clients.ssm.send(
      new PutParameterCommand({
        Name: platform.guardrailsParameter,
        Type: 'String',
        Overwrite: true,
        Value: JSON.stringify({ ...DEFAULT_GUARDRAILS, max_repos: 100_000 }),
      }),
    );
    const server = await startApiServer({ env: 'bench', port: 0, clients, log: silentLogger() });
    const user = await ensureLocalUser(clients.cognito, platform.userPoolId, 'bench', 'admin');
    const auth = await clients.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: platform.userPoolClientId,
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }),
    );
    return { server, token: auth.AuthenticationResult!.AccessToken! };
  })();
  try {
    const headers = { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' };
    const url = api.server.url;
    console.log(`HTTP on the local server (moto behind it), concurrency ${CONCURRENCY}`);
    await load(
      'onboard',
      N.onboard,
      (i) =>
        fetch(`${url}/v1/repos`, { method: 'POST', headers, body: JSON.stringify({ repo: `bench/repo-${i}`, egress_allowlist: ['pypi.org'], max_turns: 50 }) }),
      201,
    );
    await api.server.idle();
    await load('get', N.get, (i) => fetch(`${url}/v1/repos/bench/repo-${i % N.onboard}`, { headers }), 200);
    await load('list', N.list, () => fetch(`${url}/v1/repos?limit=50`, { headers }), 200);
    // The emulator's own share: the same reads straight to moto's DynamoDB, no API in between.
    const { doc } = createClients();
    const table = api.server.platform.tables.repos;
    const asResponse = (p: Promise<unknown>) => p.then(() => new Response(null, { status: 200 }));
    console.log('moto alone (the floor under the figures above):');
    await load(
      'GetItem',
      N.get,
      (i) => asResponse(doc.send(new GetCommand({ TableName: table, Key: { repo: `bench/repo-${i % N.onboard}` }, ConsistentRead: true }))),
      200,
    );
    await load('Scan', N.list, () => asResponse(doc.send(new ScanCommand({ TableName: table, Limit: 50 }))), 200);
    // What onboarding writes: the row and the counter in one transaction (moto copies the table for each).
    await load(
      'Transact',
      N.onboard,
      (i) =>
        asResponse(
          doc.send(
            new TransactWriteCommand({
              TransactItems: [
                takeSlot(table, 100_000),
                { Put: { TableName: table, Item: { repo: `floor/repo-${i}`, status: 'removed' }, ConditionExpression: 'attribute_not_exists(repo)' } },
              ],
            }),
          ),
        ),
      200,
    );
  } finally {
    await api.server.close();
    await moto.stop();
  }
}

function zipSize(dir: string): number | undefined {
  const zip = path.join(dir, '..', `${path.basename(dir)}.zip`);
  const run = spawnSync('zip', ['-qr', '-X', zip, '.'], { cwd: dir });
  if (run.status !== 0) return undefined;
  const size = fs.statSync(zip).size;
  fs.rmSync(zip);
  return size;
}

async function lambda(): Promise<void> {
  // Inside the repository so the external AWS SDK resolves, as the Lambda runtime provides it.
  const cache = path.join(REPO_ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const outDir = fs.mkdtempSync(path.join(cache, 'abca-bench-api-'));
  try {
    const bundles = await bundleHandlers({ outDir });
    console.log(`\nLambda handlers (aim: index.js under ${kb(BUNDLE_AIM)}, cold init under ${INIT_AIM_MS} ms; median of ${INIT_RUNS} fresh processes)`);
    for (const b of bundles) {
      const inits: number[] = [];
      for (let i = 0; i < INIT_RUNS; i++) {
        const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(path.join(b.outDir, 'index.js'))});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
        const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1', ABCA_ENV: 'bench' } });
        if (run.status !== 0) throw new Error(`loading ${b.name} failed: ${run.stderr}`);
        inits.push(Number(run.stdout));
      }
      const companions = b.companions.map((c) => `${c} ${kb(fs.statSync(path.join(b.outDir, c)).size)}`).join(', ');
      const zip = zipSize(b.outDir);
      const init = median(inits);
      figures.push(
        { name: `${b.name} index.js`, value: Math.round(b.bytes / 1024), unit: 'KB', aim: `< ${kb(BUNDLE_AIM)}`, ok: b.bytes < BUNDLE_AIM },
        ...(zip === undefined ? [] : [{ name: `${b.name} zip`, value: Math.round(zip / 1024), unit: 'KB' }]),
        { name: `${b.name} cold init`, value: Math.round(init), unit: 'ms', aim: `< ${INIT_AIM_MS} ms`, ok: init < INIT_AIM_MS },
      );
      console.log(
        `${b.name.padEnd(12)} index.js ${kb(b.bytes).padStart(7)} ${b.bytes < BUNDLE_AIM ? 'ok ' : 'OVER'}  zip ${zip === undefined ? '   n/a' : kb(zip).padStart(7)}  init ${init.toFixed(0).padStart(4)} ms ${init < INIT_AIM_MS ? 'ok' : 'OVER'}${companions ? `  (+ ${companions}, loaded on first Cedar check)` : ''}`,
      );
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  await http();
  await lambda();
  printFigures('api', figures);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
