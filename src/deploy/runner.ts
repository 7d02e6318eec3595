/**
 * Runs the plan's child processes. The only process edge of src/deploy: tests pass their own
 * Runner and assert the exact commands (no terraform, docker or gh binary needed).
 */
import { spawn } from 'node:child_process';
import { ValidationError } from '../errors';
import type { Command } from './command';

export interface RunOptions {
  /** Collect stdout and return it (otherwise the child's output goes to our stderr). */
  capture?: boolean;
  /** Value for a command's stdinSecret. */
  secret?: string;
}

export interface RunOutput {
  code: number;
  stdout: string;
}

export interface Runner {
  run(command: Command, opts?: RunOptions): Promise<RunOutput>;
}

/**
 * Child output goes to stderr, so stdout stays one JSON document under --json. A missing program
 * is bad input (exit 2): the operator installs it and runs again; the plan resumes.
 */
export function processRunner(cwd: string): Runner {
  return {
    run(command, opts = {}) {
      const [program, ...args] = command.argv;
      return new Promise((resolve, reject) => {
        const child = spawn(program!, args, {
          cwd,
          env: { ...process.env, ...command.env },
          stdio: ['pipe', opts.capture ? 'pipe' : process.stderr, process.stderr],
        });
        let stdout = '';
        child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT')
            reject(new ValidationError(`${program} is not installed (or not on PATH); install it and run the same command again`, 'TOOL_MISSING'));
          else reject(e);
        });
        child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
        const input = command.stdinSecret ? opts.secret : command.stdin;
        child.stdin?.end(input ?? '');
      });
    },
  };
}
