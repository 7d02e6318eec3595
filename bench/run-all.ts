/**
 * Every bench in bench/, one at a time (each in its own process, with its own moto), then one
 * table of every figure they printed.
 *
 *   npm run bench [-- --only synth,api] [-- --quick]
 *
 * --quick passes each bench smaller counts (a smoke run of the benches, not figures to compare).
 * Each bench's own report streams to stderr as it runs; the table goes to stdout. Exit 0 when
 * every bench ran (an aim missed is a figure, not a failure), 1 when one could not run.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { figuresFrom, publishFiguresFromText, renderTable, type Figure } from './figures';

const BENCH_DIR = __dirname;
const ROOT = path.resolve(BENCH_DIR, '..');

/** Smaller counts for --quick, per bench. */
const QUICK_ARGS: Record<string, string[]> = {
  api: ['--onboard', '40', '--get', '100', '--list', '40', '--init-runs', '3'],
  publish: ['--runs', '2', '--delay-s', '2'],
  synth: ['--skip-cli'],
  tasks: ['--duration-s', '10', '--heartbeat-ms', '1000'],
  contracts: ['--requests', '50'],
  promote: ['--runs', '1'],
  iam: ['--requests', '300'],
  'config-history': ['--writes', '30'],
  release: ['--runs', '1'],
  console: ['--runs', '2'],
};

/** Readers for benches that print no BENCH-FIGURES line of their own. */
const TEXT_READERS: Record<string, (stdout: string) => Figure[]> = { publish: publishFiguresFromText };

function benches(): string[] {
  return fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !['run-all.ts', 'figures.ts', 'emulator.ts'].includes(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}

function runBench(name: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(BENCH_DIR, `${name}.ts`), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      // The bench's own report, as it runs, without the machine-readable line.
      process.stderr.write(chunk.replace(/^BENCH-FIGURES .*\n?/gm, ''));
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const onlyAt = process.argv.indexOf('--only');
  const all = benches();
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : all;
  const unknown = only.filter((b) => !all.includes(b));
  if (unknown.length) {
    process.stderr.write(`unknown bench ${unknown.join(', ')}; there are ${all.join(', ')}\n`);
    return 2;
  }
  const results: { bench: string; figures: Figure[]; error?: string }[] = [];
  for (const bench of only) {
    process.stderr.write(`\n==> bench/${bench}.ts\n`);
    const started = performance.now();
    const run = await runBench(bench, quick ? (QUICK_ARGS[bench] ?? []) : []);
    const seconds = (performance.now() - started) / 1000;
    const printed = figuresFrom(run.stdout).flatMap((f) => f.figures);
    const figures = printed.length ? printed : (TEXT_READERS[bench]?.(run.stdout) ?? []);
    const error = run.code !== 0 ? `exited ${run.code}` : figures.length === 0 ? 'printed no figures' : undefined;
    results.push({ bench, figures: [...figures, { name: 'bench wall time', value: seconds, unit: 's' }], ...(error ? { error } : {}) });
  }
  process.stdout.write(`\n${renderTable(results)}\n`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench/run-all: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
