/** Output for runtime scripts: JSON on stdout with --json, text otherwise, plus a GitHub job summary. */
import { appendFileSync } from 'node:fs';

export function emit(json: boolean, data: unknown, text: string, markdown?: string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary && markdown) appendFileSync(summary, `${markdown}\n`);
}

/** Progress lines go to stderr so stdout stays one JSON document under --json. */
export function progressLog(): (line: string) => void {
  return (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}
