/**
 * tsx scripts/gen-error-docs.ts [--check]
 *
 * Writes the error-code tables of docs/cli.md and docs/api.md from the catalogue
 * (src/error-codes.ts). With --check it writes nothing and exits 1 when a table is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { DOC_FILES, withErrorTable, type ErrorDoc } from '../src/error-docs';
import { runMain } from '../src/cli-support/run-main';

const program = new Command()
  .name('gen-error-docs')
  .description('Write the error-code tables of docs/cli.md and docs/api.md from src/error-codes.ts')
  .option('--check', 'write nothing; exit 1 if a table is out of date')
  .addHelpText('after', '\nExample:\n  npx tsx scripts/gen-error-docs.ts --check')
  .parse();

runMain(async () => {
  const { check } = program.opts<{ check?: boolean }>();
  const root = path.resolve(__dirname, '..');
  let stale = 0;
  for (const doc of Object.keys(DOC_FILES) as ErrorDoc[]) {
    const file = path.join(root, DOC_FILES[doc]);
    const text = fs.readFileSync(file, 'utf8');
    const next = withErrorTable(doc, text);
    if (next === text) continue;
    stale++;
    if (check) process.stderr.write(`${DOC_FILES[doc]}: the error-code table is out of date (run npx tsx scripts/gen-error-docs.ts)\n`);
    else fs.writeFileSync(file, next);
  }
  if (!check) process.stdout.write(`${stale} file(s) updated\n`);
  return check && stale ? 1 : 0;
});
