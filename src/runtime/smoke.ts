/**
 * Runs the operator's smoke command once the new version serves on the canary endpoint; its
 * output goes to stderr so --json stays clean. The command invokes RUNTIME_QUALIFIER (the
 * endpoint name), never DEFAULT.
 */
import { spawn } from 'node:child_process';

export interface SmokeEnv {
  RUNTIME_ARN: string;
  RUNTIME_VERSION: string;
  /** The endpoint to invoke (`canary`): it serves RUNTIME_VERSION when the command runs. */
  RUNTIME_QUALIFIER: string;
  IMAGE_DIGEST: string;
}

export function runSmoke(cmd: string, env: SmokeEnv, timeoutMs = 10 * 60 * 1000): Promise<{ ok: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, { shell: true, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(process.stderr, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, code });
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve({ ok: false, code: null });
    });
  });
}
