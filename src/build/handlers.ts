/**
 * The Lambda handlers Terraform deploys, and how they are bundled. One list shared by
 * `scripts/bundle-handlers.ts`, the cdktf stack (which zips each output folder as a TerraformAsset)
 * and the benches, so none of them can name a handler the others do not build.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

export const HANDLER_NAMES = ['api', 'provisioner', 'imagePointer', 'reconciler'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export interface HandlerEntry {
  /** Entry file, relative to the repository root; it exports `handler`. */
  entry: string;
  /** Output folder name under the bundle directory. */
  dir: string;
}

export const HANDLERS: Record<HandlerName, HandlerEntry> = {
  api: { entry: 'src/handlers/api.ts', dir: 'api' },
  provisioner: { entry: 'src/handlers/provisioner.ts', dir: 'provisioner' },
  imagePointer: { entry: 'src/handlers/image-pointer.ts', dir: 'image-pointer' },
  reconciler: { entry: 'src/handlers/reconciler.ts', dir: 'reconciler' },
};

/** Lambda handler setting for every bundle: `index.js` exporting `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const DEFAULT_BUNDLE_DIR = path.join(REPO_ROOT, 'dist', 'lambda');
/** vite's output for the console (src/build/console.ts), copied into the API bundle. */
const CONSOLE_BUILD_DIR = path.join(REPO_ROOT, 'dist', 'console');

/**
 * Files a bundled module loads from disk next to itself. cedar-wasm's Node build reads
 * `${__dirname}/cedar_wasm_bg.wasm`; bundled, `__dirname` is the bundle folder, so copying the
 * .wasm there is all it needs (and keeps the 4 MB binary out of the JavaScript).
 */
const COMPANION_FILES: { input: RegExp; file: string }[] = [
  { input: /@cedar-policy\/cedar-wasm\/nodejs\/cedar_wasm\.js$/, file: 'node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm_bg.wasm' },
  // The glue too: after an engine failure src/repos/cedar.ts evaluates it afresh for a new instance.
  { input: /@cedar-policy\/cedar-wasm\/nodejs\/cedar_wasm\.js$/, file: 'node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js' },
];

export interface BundleResult {
  name: string;
  entry: string;
  /** Absolute output folder holding index.js (+ map and companion files). */
  outDir: string;
  bytes: number;
  companions: string[];
}

export interface BundleOptions {
  /** Root output folder (default dist/lambda); each handler gets a sub-folder. */
  outDir?: string;
  /** Bundle only these (default: every handler in HANDLERS). */
  only?: HandlerName[];
  /** Extra entries (tests bundle fixtures with the same settings). */
  extra?: Record<string, HandlerEntry>;
}

/** esbuild settings every handler shares. */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Linked: the map is a separate file (not inlined into the code) and the trailing comment lets
    // NODE_OPTIONS=--enable-source-maps find it for readable stack traces.
    sourcemap: 'linked',
    sourcesContent: false,
    // The Lambda Node.js runtime ships AWS SDK v3; bundling it would only add size.
    external: ['@aws-sdk/*'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  };
}

/** Bundles the handlers (in parallel). A placeholder handler bundles like any other. */
export async function bundleHandlers(opts: BundleOptions = {}): Promise<BundleResult[]> {
  const { build } = await import('esbuild');
  const root = path.resolve(opts.outDir ?? DEFAULT_BUNDLE_DIR);
  const entries: [string, HandlerEntry][] = [
    ...(opts.only ?? HANDLER_NAMES).map((n): [string, HandlerEntry] => [n, HANDLERS[n]]),
    ...Object.entries(opts.extra ?? {}),
  ];
  return Promise.all(
    entries.map(async ([name, h]) => {
      const outDir = path.join(root, h.dir);
      // A clean folder: stale files would otherwise end up in the zip and change its hash.
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.mkdirSync(outDir, { recursive: true });
      const outfile = path.join(outDir, 'index.js');
      const result = await build(esbuildOptions(h.entry, outfile));
      const companions = copyCompanions(result.metafile as Metafile, outDir);
      // The API serves the workshop console from its own bundle (src/handlers/api.ts), when built.
      if (name === 'api' && fs.existsSync(path.join(CONSOLE_BUILD_DIR, 'index.html'))) {
        fs.cpSync(CONSOLE_BUILD_DIR, path.join(outDir, 'console'), { recursive: true });
        companions.push('console/');
      }
      return { name, entry: h.entry, outDir, bytes: fs.statSync(outfile).size, companions };
    }),
  );
}

function copyCompanions(meta: Metafile, outDir: string): string[] {
  const inputs = Object.keys(meta.inputs);
  const copied: string[] = [];
  for (const c of COMPANION_FILES) {
    if (!inputs.some((i) => c.input.test(i))) continue;
    const target = path.join(outDir, path.basename(c.file));
    fs.copyFileSync(path.join(REPO_ROOT, c.file), target);
    copied.push(path.basename(c.file));
  }
  return copied;
}

/** Output folder of each handler under a bundle root (what the stack zips). */
export function bundleDirs(root: string = DEFAULT_BUNDLE_DIR): Record<HandlerName, string> {
  return Object.fromEntries(HANDLER_NAMES.map((n) => [n, path.join(path.resolve(root), HANDLERS[n].dir)])) as Record<HandlerName, string>;
}
