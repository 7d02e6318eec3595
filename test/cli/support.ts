/**
 * Runs the built `bgagent` binary (bin/bgagent.js → dist/cli/bgagent.js) as a child process, the
 * way an operator would. The bundle is (re)built once per test file when missing or stale.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildCli, DEFAULT_CLI_DIR } from '../../scripts/build-cli';
import { ROOT, type RunResult } from '../support/run';

export const BIN = path.join(ROOT, 'bin', 'bgagent.js');

function bundleFresh(): boolean {
  const bundle = path.join(DEFAULT_CLI_DIR, 'bgagent.js');
  const manifest = path.join(DEFAULT_CLI_DIR, 'inputs.json');
  if (!existsSync(bundle) || !existsSync(manifest)) return false;
  const built = statSync(bundle).mtimeMs;
  const { sources } = JSON.parse(readFileSync(manifest, 'utf8')) as { sources: string[] };
  return sources.every((f) => existsSync(path.join(ROOT, f)) && statSync(path.join(ROOT, f)).mtimeMs <= built);
}

/** Call at the top of a describe that runs the binary. */
export function useBuiltCli(): void {
  beforeAll(async () => {
    if (!bundleFresh()) await buildCli();
  }, 60_000);
}

export function tempConfigDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'bgagent-test-'));
}

export interface CliRun extends RunResult {
  /** stdout parsed as the one JSON document --json promises. */
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** stderr lines that start with "error:". */
  errors: () => string[];
}

export function bgagent(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, BGAGENT_API_KEY: undefined, ABCA_API_URL: undefined, CI: 'true', ...opts.env },
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({
          code,
          stdout,
          stderr,
          json: () => {
            try {
              return JSON.parse(stdout);
            } catch {
              throw new Error(`stdout is not one JSON document (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
            }
          },
          errors: () => stderr.split('\n').filter((l) => l.startsWith('error:')),
        });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}
