/** Output for runtime scripts: JSON on stdout with --json, text otherwise, plus a GitHub job summary. */
import { appendJobSummary } from './job-summary';
import { canSpin, Spinner } from './spinner';

export function emit(json: boolean, data: unknown, text: string, markdown?: string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
  if (markdown) appendJobSummary(markdown);
}

/** A progress line; `transient` lines (poll updates) replace each other instead of piling up. */
export type ProgressLog = (line: string, opts?: { transient?: boolean }) => void;

/**
 * Progress goes to stderr so stdout stays one JSON document under --json. On a terminal, transient
 * lines show as one spinner line; in CI or a pipe every line is printed with a timestamp.
 */
export function progressLog(stream: NodeJS.WriteStream = process.stderr): ProgressLog {
  const stamp = () => new Date().toISOString().slice(11, 19);
  if (!canSpin(stream)) return (line) => void stream.write(`${stamp()} ${line}\n`);
  const spinner = new Spinner(stream, 100);
  process.once('exit', () => spinner.stop());
  return (line, opts) => {
    if (opts?.transient) {
      spinner.set(line);
    } else {
      spinner.clear();
      stream.write(`${stamp()} ${line}\n`);
    }
  };
}
