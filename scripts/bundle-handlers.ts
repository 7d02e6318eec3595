/**
 * Bundles the Lambda handlers Terraform deploys into dist/lambda/<handler>/ (what `cdktf synth`
 * zips; stacks/main.ts runs the same bundler before it synthesizes). The workshop console is built
 * first when stale, so the API bundle carries it.
 *
 *   npx tsx scripts/bundle-handlers.ts [--out-dir <dir>] [--json]
 */
import { buildConsole, consoleIsStale } from '../src/build/console';
import { bundleHandlers, DEFAULT_BUNDLE_DIR } from '../src/build/handlers';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out-dir');
  const outDir = outAt >= 0 ? args[outAt + 1] : DEFAULT_BUNDLE_DIR;
  if (outAt >= 0 && !outDir) throw new Error('--out-dir needs a folder');
  const started = Date.now();
  if (consoleIsStale()) await buildConsole();
  const results = await bundleHandlers({ outDir });
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  for (const r of results) {
    const extra = r.companions.length ? ` (+ ${r.companions.join(', ')})` : '';
    process.stdout.write(`${r.name.padEnd(13)} ${r.entry} -> ${r.outDir}/index.js ${(r.bytes / 1024).toFixed(1)} KiB${extra}\n`);
  }
  process.stdout.write(`bundled ${results.length} handlers in ${Date.now() - started} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bundle-handlers: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
