/** Runs a TypeScript entry point (script or CLI) as a child process, the way an operator would. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTsx(entry: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      TSX,
      [path.join(ROOT, entry), ...args],
      { cwd: ROOT, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
