/**
 * Wall time of a full synth of the `infra` stack (target: under 10 s on a 2-core machine).
 *
 *   npx tsx bench/synth.ts [--runs N] [--skip-cli]
 *
 * Measures, each in a fresh process as CI runs them:
 *   app    `tsx stacks/main.ts`: bundle the Lambdas, build the stack, write cdk.tf.json + zips
 *   cli    `cdktf synth`: the same app behind the cdktf CLI (what `npm run synth` and CI run)
 * then the app's phases in this process (bundle / construct / synth to disk) to show where time goes.
 * Output goes to temporary folders; nothing in cdktf.out is touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { printFigures } from './figures';

const ROOT = path.resolve(__dirname, '..');
const TARGET_MS = 10_000;

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function timed(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) {
    process.stderr.write(`${label} failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}\n`);
    process.exit(1);
  }
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function phases(outdir: string): Promise<Record<string, number>> {
  const t0 = performance.now();
  const { bundleDirs, bundleHandlers } = await import('../src/build/handlers');
  const { App } = await import('cdktf');
  const { InfraStack, STACK_NAME } = await import('../stacks/infra-stack');
  const { readSettings } = await import('../stacks/settings');
  const t1 = performance.now();
  const bundleDir = path.join(outdir, 'bundles');
  await bundleHandlers({ outDir: bundleDir });
  const t2 = performance.now();
  const app = new App({ outdir: path.join(outdir, 'out'), stackTraces: false });
  new InfraStack(app, STACK_NAME, { settings: readSettings(app), bundles: bundleDirs(bundleDir) });
  const t3 = performance.now();
  app.synth();
  const t4 = performance.now();
  return { 'load modules': t1 - t0, 'bundle handlers': t2 - t1, 'construct stack': t3 - t2, 'synth to disk': t4 - t3 };
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs') ?? '1');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-bench-synth-'));
  // No telemetry round trips, as in CI.
  const env = { CHECKPOINT_DISABLE: '1', CI: 'true' };
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const cdktf = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  try {
    const app: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < runs; i++) {
      app.push(timed('app synth', tsx, ['stacks/main.ts'], { ...env, CDKTF_OUTDIR: path.join(tmp, `app-${i}`) }));
      if (!process.argv.includes('--skip-cli')) cli.push(timed('cdktf synth', cdktf, ['synth', '--output', path.join(tmp, `cli-${i}`)], env));
    }
    const detail = await phases(path.join(tmp, 'phases'));

    const json = JSON.parse(fs.readFileSync(path.join(tmp, 'app-0', 'stacks', 'infra', 'cdk.tf.json'), 'utf8'));
    const count = Object.values(json.resource as Record<string, object>).reduce((n, r) => n + Object.keys(r).length, 0);
    const lines = [
      `infra stack: ${count} resources, ${os.cpus().length} CPUs, ${runs} run(s)`,
      `app synth (tsx stacks/main.ts)  ${fmt(median(app))}${runs > 1 ? `  [${app.map(fmt).join(', ')}]` : ''}`,
      ...(cli.length ? [`cdktf synth (CLI)              ${fmt(median(cli))}${runs > 1 ? `  [${cli.map(fmt).join(', ')}]` : ''}`] : []),
      'in-process phases:',
      ...Object.entries(detail).map(([k, v]) => `  ${k.padEnd(16)} ${fmt(v)}`),
    ];
    const worst = Math.max(median(app), ...(cli.length ? [median(cli)] : []));
    lines.push(`full synth ${fmt(worst)} — ${worst < TARGET_MS ? 'within' : 'OVER'} the ${fmt(TARGET_MS)} target`);
    process.stdout.write(`${lines.join('\n')}\n`);
    printFigures('synth', [
      { name: 'resources in the infra stack', value: count, unit: '' },
      { name: 'app synth (tsx stacks/main.ts)', value: median(app) / 1000, unit: 's' },
      ...(cli.length ? [{ name: 'cdktf synth (CLI)', value: median(cli) / 1000, unit: 's' }] : []),
      ...Object.entries(detail).map(([k, v]) => ({ name: `phase: ${k}`, value: v / 1000, unit: 's' })),
      { name: 'full synth', value: worst / 1000, unit: 's', aim: `< ${fmt(TARGET_MS)}`, ok: worst < TARGET_MS },
    ]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/synth: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
