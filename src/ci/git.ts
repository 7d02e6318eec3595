/**
 * The changed paths between two commits, read-only: `git diff --name-only --no-renames -z
 * base...head` (three dots: what head added since it forked from base). `--no-renames` lists a
 * moved file under its old AND new path, so moving a file out of `stacks/` still counts as an
 * infra change; `-z` keeps unusual file names intact.
 */
import { spawnSync } from 'node:child_process';
import { OperationFailedError, ValidationError } from '../errors';

/** The base commit is not in the clone (null SHA, force push, shallow checkout, typo). */
export class BaseNotFoundError extends ValidationError {
  constructor(message: string) {
    super(message, 'BASE_NOT_FOUND');
  }
}

function git(repo: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const out = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.error) throw new OperationFailedError(`cannot run git: ${out.error.message}`, 'GIT_FAILED');
  return { status: out.status ?? 1, stdout: out.stdout, stderr: out.stderr };
}

function resolveCommit(repo: string, ref: string, role: string): string {
  if (!ref || ref.startsWith('-')) throw new ValidationError(`invalid ${role} ref "${ref}"`, 'INVALID_REF');
  const out = git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (out.status !== 0) {
    const message = `${role} "${ref}" is not a commit in ${repo} (fetch full history: actions/checkout with fetch-depth: 0)`;
    if (role === 'base') throw new BaseNotFoundError(message);
    throw new ValidationError(message, 'HEAD_NOT_FOUND');
  }
  return out.stdout.trim();
}

export function changedPaths(repo: string, base: string, head: string): string[] {
  const b = resolveCommit(repo, base, 'base');
  const h = resolveCommit(repo, head, 'head');
  const out = git(repo, ['diff', '--name-only', '--no-renames', '-z', `${b}...${h}`, '--']);
  if (out.status !== 0) {
    const detail = out.stderr.trim().split('\n')[0] ?? '';
    if (/merge base/i.test(detail)) throw new BaseNotFoundError(`no common history between ${base} and ${head}: ${detail}`);
    throw new OperationFailedError(`git diff failed: ${detail}`, 'GIT_FAILED');
  }
  return out.stdout.split('\0').filter(Boolean);
}
