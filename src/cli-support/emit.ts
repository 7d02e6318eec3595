/** Output for runtime scripts: JSON on stdout with --json, text otherwise, plus a GitHub job summary. */
import { appendFileSync } from 'node:fs';

export function emit(json: boolean, data: unknown, text: string, markdown?: string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary && markdown) appendFileSync(summary, `${markdown}\n`);
}

/** A progress line; `transient` lines (poll updates) replace each other instead of piling up. */
export type ProgressLog = (line: string, opts?: { transient?: boolean }) => void;

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress goes to stderr so stdout stays one JSON document under --json. On a terminal, transient
 * lines show as one spinner line; in CI or a pipe every line is printed with a timestamp.
 */
export function progressLog(stream: NodeJS.WriteStream = process.stderr): ProgressLog {
  const stamp = () => new Date().toISOString().slice(11, 19);
  if (!stream.isTTY || process.env.CI) return (line) => void stream.write(`${stamp()} ${line}\n`);
  let current: string | undefined;
  let frame = 0;
  const draw = () => current !== undefined && stream.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  const timer = setInterval(draw, 100);
  timer.unref();
  const clear = () => {
    if (current !== undefined) stream.write('\r\x1b[K');
    current = undefined;
  };
  process.once('exit', clear);
  return (line, opts) => {
    clear();
    if (opts?.transient) {
      current = line;
      draw();
    } else {
      stream.write(`${stamp()} ${line}\n`);
    }
  };
}
