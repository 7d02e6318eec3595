/**
 * The console's build: one small bundle under dist/console, served by the API at /console
 * (src/api/console.ts) and copied into the API Lambda's bundle (scripts/bundle-handlers.ts).
 * Preact through the JSX transform alone: no plugin, nothing else to load.
 */
import * as path from 'node:path';
import { defineConfig } from 'vite';

export const CONSOLE_OUT_DIR = path.resolve(__dirname, '..', '..', 'dist', 'console');

export default defineConfig({
  root: __dirname,
  // Relative: behind API Gateway the page lives under the stage's path (/<stage>/console/).
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: CONSOLE_OUT_DIR, emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
});
