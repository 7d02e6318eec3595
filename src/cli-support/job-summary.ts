/**
 * GitHub Actions' job summary and step outputs: files named by `$GITHUB_STEP_SUMMARY` and
 * `$GITHUB_OUTPUT`, appended to. Outside Actions the summary is skipped, unless the caller asked
 * for it explicitly (`required`), which is then a usage error.
 */
import { appendFileSync } from 'node:fs';
import { ValidationError } from '../errors';

export type ActionsFile = 'GITHUB_STEP_SUMMARY' | 'GITHUB_OUTPUT';

/** The file GitHub Actions names in `$name`, or a usage error outside Actions. */
export function requireActionsFile(name: ActionsFile, env: NodeJS.ProcessEnv = process.env): string {
  const file = env[name];
  if (!file) throw new ValidationError(`$${name} is not set (only GitHub Actions sets it)`, 'NOT_IN_GITHUB_ACTIONS');
  return file;
}

/** Append Markdown to the job summary; true if written (false outside Actions, when not required). */
export function appendJobSummary(markdown: string, opts: { required?: boolean; env?: NodeJS.ProcessEnv } = {}): boolean {
  const env = opts.env ?? process.env;
  const file = opts.required ? requireActionsFile('GITHUB_STEP_SUMMARY', env) : env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return true;
}
