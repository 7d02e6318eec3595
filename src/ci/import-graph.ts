/**
 * The project's import graph and its layer rules. The rules are data (LAYERS); the checks are pure
 * functions over the graph, so a test can run them on the real tree and on a made-up one.
 *
 * Layers, lowest first: base (errors, AWS clients, platform names and shapes) ← domains (what the
 * product does) ← adapters (entry points and transports: API, CLI, Lambda handlers, local mode, the
 * stack, scripts). A file imports only from its own layer or lower ones, and no import cycle exists
 * between files or between folders. Type-only imports count: they couple as much as values do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export type LayerName = 'base' | 'domain' | 'adapter';

export interface LayerRule {
  layer: LayerName;
  /** Path prefixes (a folder ending in '/', or a file). */
  paths: string[];
  why: string;
}

export const LAYERS: readonly LayerRule[] = [
  {
    layer: 'base',
    paths: ['src/errors.ts', 'src/error-codes.ts', 'src/error-docs.ts', 'src/aws/', 'src/platform/'],
    why: 'errors, the one way to build AWS clients and read pages, names and table shapes: needed by everything, needing nothing of ours',
  },
  {
    layer: 'domain',
    paths: ['src/audit/', 'src/auth/', 'src/repos/', 'src/tasks/', 'src/runtime/', 'src/deploy/', 'src/ci/', 'src/doctor/'],
    why: 'what the product does; reaches AWS through stores and gateways built on base, knows no transport',
  },
  {
    layer: 'adapter',
    paths: [
      'src/api/',
      'src/cli/',
      'src/cli-support/',
      'src/handlers/',
      'src/wiring/',
      'src/local/',
      'src/build/',
      'src/console/',
      'stacks/',
      'custom-resources/',
      'scripts/',
      'bin/',
    ],
    why: 'entry points and transports: they parse input, wire services and call domains',
  },
];

const RANK: Record<LayerName, number> = { base: 0, domain: 1, adapter: 2 };

/** Folder-level unit of a file: `src/runtime/publish/index.ts` → `src/runtime`; top-level files are their own unit. */
export function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : file;
  return parts[0]!;
}

export function layerOf(file: string): LayerName | undefined {
  for (const rule of LAYERS) if (rule.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p))) return rule.layer;
  return undefined;
}

export type Graph = Map<string, string[]>;

/** Relative imports of one TypeScript source (static, dynamic, `import type`, re-exports). */
export function importsOf(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((f) => f.startsWith('.'));
}

function resolveImport(from: string, spec: string, exists: (f: string) => boolean): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')]) if (exists(candidate)) return candidate;
  return undefined;
}

/** The graph of the given files (repository-relative, '/'-separated); imports outside the set are dropped. */
export function buildGraph(files: Record<string, string>): Graph {
  const exists = (f: string) => Object.prototype.hasOwnProperty.call(files, f);
  const graph: Graph = new Map();
  for (const [file, source] of Object.entries(files)) {
    const deps = importsOf(source)
      .map((spec) => resolveImport(file, spec, exists))
      .filter((d): d is string => d !== undefined && d !== file);
    graph.set(file, [...new Set(deps)].sort());
  }
  return graph;
}

/** Strongly connected components with more than one member (or a self-loop): the import cycles. */
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** The folder-level graph (one node per unitOf). */
export function unitGraph(graph: Graph): Graph {
  const units: Graph = new Map();
  for (const [file, deps] of graph) {
    const u = unitOf(file);
    const set = new Set(units.get(u) ?? []);
    for (const d of deps) if (unitOf(d) !== u) set.add(unitOf(d));
    units.set(u, [...set].sort());
  }
  return units;
}

export interface LayerViolation {
  from: string;
  to: string;
  why: string;
}

/** Imports that go up a layer, and files that no layer claims. */
export function layerViolations(graph: Graph): LayerViolation[] {
  const out: LayerViolation[] = [];
  for (const [file, deps] of graph) {
    const from = layerOf(file);
    if (!from) {
      out.push({ from: file, to: '', why: 'no layer claims this file (add it to LAYERS in src/ci/import-graph.ts)' });
      continue;
    }
    for (const dep of deps) {
      const to = layerOf(dep);
      if (to && RANK[to] > RANK[from]) out.push({ from: file, to: dep, why: `${from} imports ${to}` });
    }
  }
  return out;
}

export interface TreeFigures {
  files: number;
  lines: number;
  modulesPerFolder: Record<string, number>;
  largest: { file: string; lines: number }[];
  fileCycles: string[][];
  folderCycles: string[][];
  violations: LayerViolation[];
}

/** The TypeScript sources of the layered tree (not tests, benches or the agent image, which is its own package). */
export function readTree(root: string, dirs = ['src', 'stacks', 'custom-resources', 'scripts', 'bin']): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of dirs) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs, { recursive: true, encoding: 'utf8' })) {
      const rel = path.posix.join(dir, f.split(path.sep).join('/'));
      if (/\.tsx?$/.test(rel) && !/\.d\.ts$|\.test\.|node_modules|\/dist\//.test(rel)) files[rel] = fs.readFileSync(path.join(root, rel), 'utf8');
    }
  }
  return files;
}

export function treeFigures(files: Record<string, string>): TreeFigures {
  const graph = buildGraph(files);
  const modulesPerFolder: Record<string, number> = {};
  const sizes = Object.entries(files).map(([file, text]) => ({ file, lines: text.split('\n').length }));
  for (const { file } of sizes) {
    const folder = path.posix.dirname(file);
    modulesPerFolder[folder] = (modulesPerFolder[folder] ?? 0) + 1;
  }
  return {
    files: sizes.length,
    lines: sizes.reduce((n, s) => n + s.lines, 0),
    modulesPerFolder,
    largest: sizes.sort((a, b) => b.lines - a.lines).slice(0, 5),
    fileCycles: cycles(graph),
    folderCycles: cycles(unitGraph(graph)),
    violations: layerViolations(graph),
  };
}
