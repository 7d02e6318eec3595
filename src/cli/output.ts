/**
 * What `bgagent` prints. stdout carries the result: one JSON document under `--json`, tables and
 * fields for humans otherwise. stderr carries everything else: progress (a spinner on a TTY, plain
 * lines when piped), warnings and the one error line.
 */
import { canSpin, Spinner } from '../cli-support/spinner';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Longer cells are cut with an ellipsis (default 60). */
  max?: number;
}

/** Pure: a cell as text ('-' for nothing, lists joined). */
export function cell(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.map(cell).join(',') : '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).replace(/\s+/g, ' ');
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s);

/** Pure: an aligned table with a header row; "(none)" for no rows. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => cut(cell(c.value(r)), c.max ?? 60)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Pure: `key  value` lines, keys aligned; undefined values left out. */
export function renderFields(fields: readonly [string, unknown][]): string {
  const shown = fields.filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown
    .map(([k, v]) => {
      // A multi-line value goes indented under its key.
      if (typeof v === 'string' && v.includes('\n')) return `${k}\n${v.replace(/\n$/, '').replace(/^/gm, '    ')}`;
      return `${k.padEnd(width)}  ${cell(v)}`;
    })
    .join('\n');
}

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  /** `detail` (e.g. elapsed time) is drawn on a TTY only; plain lines repeat only when `text` changes. */
  update(text: string, detail?: string): void;
  /** Ends the spinner; `line` (if any) stays on stderr. */
  stop(line?: string): void;
}

export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Writer = process.stdout,
    private readonly stderr: Writer = process.stderr,
  ) {}

  /** The command's result: `data` as one JSON document, or `human()` as text. */
  result(data: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
  }

  info(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  warn(line: string): void {
    this.stderr.write(`warning: ${line}\n`);
  }

  /** A spinner on a TTY; otherwise one line per distinct message. */
  progress(text: string): Progress {
    let current = text;
    if (!canSpin(this.stderr)) {
      this.stderr.write(`… ${text}\n`);
      return {
        update: (t) => {
          if (t !== current) this.stderr.write(`… ${t}\n`);
          current = t;
        },
        stop: (line) => {
          if (line) this.stderr.write(`${line}\n`);
        },
      };
    }
    const spinner = new Spinner(this.stderr);
    spinner.set(text);
    return {
      update: (t, detail) => spinner.set(detail ? `${t} ${detail}` : t),
      stop: (line) => spinner.stop(line),
    };
  }
}
