/**
 * Builds the workshop console (src/console) with vite into dist/console: what the local API serves
 * at /console and what the API Lambda's bundle carries (bundleHandlers copies it beside the handler).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './handlers';

export const CONSOLE_SRC = path.join(REPO_ROOT, 'src', 'console');
export const CONSOLE_DIST = path.join(REPO_ROOT, 'dist', 'console');
/** Sources outside src/console that the page bundles. */
const SHARED_SOURCES = [path.join(REPO_ROOT, 'src', 'auth', 'srp.ts')];

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

/** Whether dist/console is missing or older than any source it is built from. */
export function consoleIsStale(): boolean {
  const index = path.join(CONSOLE_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  return [CONSOLE_SRC, ...SHARED_SOURCES].some((p) => newestMtime(p) > built);
}

export interface ConsoleBuild {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
}

export async function buildConsole(): Promise<ConsoleBuild> {
  // vite's own CLI, in a child process: vite is ESM with types this CommonJS project cannot resolve.
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--config', path.join(CONSOLE_SRC, 'vite.config.ts')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vite build failed (exit ${run.status}):\n${run.stderr || run.stdout}`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else files.push(path.relative(CONSOLE_DIST, p));
    }
  };
  walk(CONSOLE_DIST);
  return { outDir: CONSOLE_DIST, files: files.sort() };
}
