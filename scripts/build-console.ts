/**
 * Builds the workshop console into dist/console (served by the API at /console).
 *
 *   npx tsx scripts/build-console.ts [--if-stale]
 *
 * --if-stale: do nothing when dist/console is newer than its sources (npm run dev runs it so).
 */
import { buildConsole, consoleIsStale } from '../src/build/console';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(
      'Usage: tsx scripts/build-console.ts [--if-stale]\nBuilds src/console into dist/console. Exit 0 built (or up to date), 1 on a build error.\n',
    );
    return;
  }
  if (process.argv.includes('--if-stale') && !consoleIsStale()) return;
  const started = Date.now();
  const out = await buildConsole();
  process.stdout.write(`console built into ${out.outDir} (${out.files.length} files) in ${Date.now() - started} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`build-console: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
