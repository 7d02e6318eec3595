/**
 * The path rules agree with the real import graph: every source file that the infra entry points
 * (stack, custom resource, API handlers) pull in is classified infra, and every file the runtime
 * entry points (publisher scripts, agent) pull in is classified runtime. esbuild resolves the
 * imports; nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { classify, type Layer } from '../../src/ci/classify';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')))
    .filter((f) => /\.(ts|js|mjs|cjs)$/.test(f) && !/\.d\.ts$|\.test\.|\.spec\.|__tests__|node_modules|\/dist\//.test(f));
}

const ENTRIES: Record<Layer, string[]> = {
  infra: [...sourceFiles('stacks'), ...sourceFiles('src/handlers'), ...sourceFiles('src/api'), 'scripts/bundle-handlers.ts'],
  runtime: [
    'scripts/publish-runtime.ts',
    'scripts/rollback-runtime.ts',
    'scripts/smoke-runtime.ts',
    'src/platform/runtime-spec.ts',
    ...sourceFiles('src/runtime'),
    ...sourceFiles('agent/src'),
  ],
};

async function reachable(entries: string[]): Promise<string[]> {
  const existing = entries.filter((e) => fs.existsSync(path.join(ROOT, e)));
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: existing,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    outdir: 'out',
    logLevel: 'silent',
    loader: { '.wasm': 'file', '.py': 'text' },
  });
  return Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/') && !f.includes(':'));
}

describe('path rules against the import graph', () => {
  it.each<[Layer]>([['infra'], ['runtime']])('every file the %s entry points import carries that layer', async (layer) => {
    // Prepare
    const files = await reachable(ENTRIES[layer]);
    // Act
    const missing = classify(files)
      .files.filter((f) => !f.layers.includes(layer))
      .map((f) => `${f.path} (rule ${f.rule}: ${f.layers.join(',') || 'none'})`);
    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('really notices a file outside the layer (the check is not vacuous)', () => {
    // Act
    const decided = classify(['src/local/bootstrap.ts', 'src/repos/service.ts']).files;
    // Assess
    expect(decided.filter((f) => !f.layers.includes('runtime')).map((f) => f.path)).toEqual(['src/local/bootstrap.ts', 'src/repos/service.ts']);
  });
});
