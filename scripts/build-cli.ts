/**
 * Bundles the bgagent CLI (src/cli/main.ts) into one CommonJS file, dist/cli/bgagent.js, so
 * `bin/bgagent.js` starts fast. Next to it goes inputs.json: the source files the bundle was made
 * from, which bin/bgagent.js compares with the bundle's age to fall back to the sources (through
 * tsx) when the bundle is stale.
 *
 *   npx tsx scripts/build-cli.ts [--out-dir <dir>] [--json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Metafile } from 'esbuild';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const CLI_ENTRY = 'src/cli/main.ts';
export const DEFAULT_CLI_DIR = path.join(REPO_ROOT, 'dist', 'cli');

export interface CliBuild {
  outfile: string;
  bytes: number;
  inputs: number;
  ms: number;
}

/** Builds into a temporary name and renames, so a concurrent `bgagent` never reads half a file. */
export async function buildCli(outDir: string = DEFAULT_CLI_DIR): Promise<CliBuild> {
  const started = Date.now();
  const { build } = await import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'bgagent.js');
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [CLI_ENTRY],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    outfile,
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    // The publish verb's golden task reads repository rows through the task code, whose schema can
    // check Cedar policies. The engine is required lazily (src/repos/cedar.ts), from node_modules.
    external: ['@cedar-policy/cedar-wasm', '@cedar-policy/cedar-wasm/*'],
  });
  const meta = result.metafile as Metafile;
  // The CLI must not pull in cedar-wasm: its .wasm would have to sit next to the bundle, and
  // compiling it costs every start. The API validates Cedar policies.
  const wasm = Object.keys(meta.inputs).filter((i) => /cedar-wasm/.test(i));
  if (wasm.length) throw new Error(`the CLI bundle must not include cedar-wasm (imported via ${wasm[0]}); import RepoConfig types with "import type"`);
  const tag = `${process.pid}.${Date.now()}`;
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${tag}.tmp`;
    fs.writeFileSync(tmp, file.contents);
    fs.renameSync(tmp, file.path);
  }
  const sources = Object.keys(meta.inputs).filter((i) => !i.startsWith('node_modules/') && !i.includes(':'));
  const manifest = path.join(outDir, 'inputs.json');
  fs.writeFileSync(`${manifest}.${tag}.tmp`, `${JSON.stringify({ root: REPO_ROOT, sources }, null, 2)}\n`);
  fs.renameSync(`${manifest}.${tag}.tmp`, manifest);
  return { outfile, bytes: fs.statSync(outfile).size, inputs: sources.length, ms: Date.now() - started };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out-dir');
  const outDir = at >= 0 ? args[at + 1] : DEFAULT_CLI_DIR;
  buildCli(outDir ? path.resolve(outDir) : DEFAULT_CLI_DIR).then(
    (r) => {
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else
        process.stdout.write(
          `bgagent -> ${path.relative(process.cwd(), r.outfile)} ${(r.bytes / 1024).toFixed(0)} KiB from ${r.inputs} source files in ${r.ms} ms\n`,
        );
    },
    (e: unknown) => {
      process.stderr.write(`build-cli: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
