/**
 * The workshop console's budget: JavaScript gzipped (aim ≤ 200 KB) and first useful render against
 * the local control plane (aim < 1 s): from navigation to the signed-in Environment screen showing
 * what `live` serves, in headless Chromium, on a warm stack (`npm run dev` as a participant runs it).
 *
 *   npx tsx bench/console.ts [--runs N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole } from '../src/build/console';
import { openBrowser, signInAs, startDev } from '../test/console/support';
import { printFigures, type Figure } from './figures';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;

async function main(): Promise<void> {
  const built = await buildConsole();
  const js = built.files.filter((f) => f.endsWith('.js'));
  const gz = js.reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(built.outDir, f)), { level: 9 }).length, 0);
  const figures: Figure[] = [{ name: 'console JS gzipped', value: Math.round(gz / 102.4) / 10, unit: 'KB', aim: '≤ 200 KB', ok: gz <= 200 * 1024 }];
  process.stderr.write(`console: ${js.length} JS file(s), ${(gz / 1024).toFixed(1)} KB gzipped\n`);

  const dev = await startDev();
  const browser = await openBrowser();
  try {
    await signInAs(browser.page, dev.consoleUrl, dev.admin);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      // A fresh navigation with the session kept (sessionStorage): what a reload or a new screen costs.
      const started = performance.now();
      await browser.page.goto(`${dev.consoleUrl}#/environment`);
      await browser.page.reload();
      await browser.page.getByTestId('live-digest').waitFor({ timeout: 30_000 });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    process.stderr.write(`first useful render: ${times.map((t) => t.toFixed(0)).join(', ')} ms\n`);
    figures.push({ name: 'first useful render (median)', value: Math.round(median), unit: 'ms', aim: '< 1000 ms', ok: median < 1000 });
  } finally {
    await browser.close();
    await dev.stop();
  }
  printFigures('console', figures);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/console: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
