/**
 * Prints the shape of the tree: modules per folder, the largest files, import cycles between files
 * and between folders, and imports that cross the layers upwards (rules: src/ci/import-graph.ts).
 * `tsx scripts/import-graph.ts [--json] [--root DIR]`; exit 3 when a cycle or a violation exists.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { readTree, treeFigures } from '../src/ci/import-graph';

const program = new Command('import-graph')
  .description('modules per folder, largest files, import cycles and layer violations of the tree')
  .option('--json', 'one JSON document on stdout')
  .option('--root <dir>', 'the checkout to read', path.resolve(__dirname, '..'))
  .action((opts: { json?: boolean; root: string }) => {
    const f = treeFigures(readTree(opts.root));
    if (opts.json) process.stdout.write(JSON.stringify(f, null, 2) + '\n');
    else {
      const lines = [
        `${f.files} modules, ${f.lines} lines`,
        'modules per folder:',
        ...Object.entries(f.modulesPerFolder)
          .sort()
          .map(([d, n]) => `  ${d.padEnd(40)} ${n}`),
        `largest: ${f.largest.map((l) => `${l.file} (${l.lines})`).join(', ')}`,
        `file cycles: ${f.fileCycles.length}${f.fileCycles.map((c) => `\n  ${c.join(' ↔ ')}`).join('')}`,
        `folder cycles: ${f.folderCycles.length}${f.folderCycles.map((c) => `\n  ${c.join(' ↔ ')}`).join('')}`,
        `layer violations: ${f.violations.length}${f.violations.map((v) => `\n  ${v.from} → ${v.to} (${v.why})`).join('')}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
    process.exitCode = f.fileCycles.length + f.folderCycles.length + f.violations.length > 0 ? 3 : 0;
  });
program.parse();
