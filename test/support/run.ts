/** Runs a TypeScript entry point (script or CLI) as a child process, the way an operator would. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { envAs } from './iam';

export const ROOT = path.resolve(__dirname, '../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The runtime scripts CI runs as its publisher role (runtime-publish/promote workflows). */
const PUBLISHER_SCRIPTS = new Set([
  'scripts/publish-runtime.ts',
  'scripts/rollback-runtime.ts',
  'scripts/promote-runtime.ts',
  'scripts/runtime-status.ts',
  'scripts/smoke-runtime.ts',
]);

/**
 * The environment a runtime script acts on (`--to` for promote, else `--env`), whose publisher
 * role it runs as; undefined when it names none (it then fails on its own, as in CI).
 */
export function targetEnv(args: string[]): string | undefined {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    if (i >= 0) return args[i + 1];
    return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  return value('--to') ?? value('--env');
}

/**
 * The credentials a script gets: a runtime script runs as its environment's publisher role (the
 * session CI's configure-aws-credentials gives it), unless the test gives credentials itself or IAM
 * enforcement is off (ABCA_TEST_IAM=0). Everything else inherits the test's (admin) credentials.
 */
async function credentialsFor(entry: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<Record<string, string>> {
  if (!PUBLISHER_SCRIPTS.has(entry) || env?.AWS_ACCESS_KEY_ID || !process.env.ABCA_TEST_IAM_POLICIES) return {};
  const target = targetEnv(args);
  return target && /^[A-Za-z0-9]+$/.test(target) ? envAs(target, 'publisher') : {};
}

export async function runTsx(entry: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const credentials = await credentialsFor(entry, args, opts.env);
  return new Promise((resolve) => {
    const child = execFile(
      TSX,
      [path.join(ROOT, entry), ...args],
      { cwd: ROOT, env: { ...process.env, ...credentials, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
