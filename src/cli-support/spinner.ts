/**
 * The one terminal spinner of the CLI and the scripts: a line redrawn in place with a braille frame,
 * on a timer that never keeps the process alive. Whether to spin at all (a TTY, not CI) is
 * `canSpin`; callers print plain lines otherwise.
 */
export interface SpinnerStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

/** Spin only on an interactive terminal: in CI or a pipe, redrawn lines are noise. */
export function canSpin(stream: SpinnerStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !env.CI;
}

export class Spinner {
  private text: string | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: SpinnerStream,
    private readonly intervalMs = 80,
  ) {}

  /** Show (or replace) the spinning line. */
  set(text: string): void {
    this.text = text;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), this.intervalMs);
      this.timer.unref();
    }
    this.draw();
  }

  /** Erase the spinning line (to print a lasting one), keeping the timer for the next `set`. */
  clear(): void {
    if (this.text !== undefined) this.stream.write(CLEAR_LINE);
    this.text = undefined;
  }

  /** Erase the line and stop the timer; `line`, if given, stays. */
  stop(line?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    if (line) this.stream.write(`${line}\n`);
  }

  private draw(): void {
    if (this.text !== undefined) this.stream.write(`${CLEAR_LINE}${FRAMES[this.frame++ % FRAMES.length]} ${this.text}`);
  }
}
