/**
 * What a bench measured, machine-readable: each bench prints its human report, then one line
 * `BENCH-FIGURES {"bench", "figures": [...]}` that bench/run-all.ts collects into one table.
 * A bench that does not print one (yet) is read from its text report by a parser here.
 */

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The aim, in words (`< 10 s`), where the bench has one. */
  aim?: string;
  /** Whether the aim is met. */
  ok?: boolean;
}

export interface BenchFigures {
  bench: string;
  figures: Figure[];
}

export const FIGURES_PREFIX = 'BENCH-FIGURES ';

export function printFigures(bench: string, figures: Figure[]): void {
  process.stdout.write(`${FIGURES_PREFIX}${JSON.stringify({ bench, figures } satisfies BenchFigures)}\n`);
}

/** The figures lines of a bench's stdout. */
export function figuresFrom(stdout: string): BenchFigures[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(FIGURES_PREFIX))
    .map((l) => JSON.parse(l.slice(FIGURES_PREFIX.length)) as BenchFigures);
}

/**
 * bench/publish.ts's text report (its table rows, the aim line and the optional CLI line), for as
 * long as it prints no figures line of its own.
 */
export function publishFiguresFromText(stdout: string): Figure[] {
  const figures: Figure[] = [];
  const poll = /poll interval (\d+) ms/.exec(stdout)?.[1];
  const ms = '\\s+(-?\\d+) ms';
  const row = new RegExp(`^\\s*(\\d+(?:\\.\\d+)?) s${ms}${ms}${ms}${ms}${ms}\\s*$`);
  for (const line of stdout.split('\n')) {
    const m = row.exec(line);
    if (!m) continue;
    const [held, wall, overP50, overMax, lagMax, netMax] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const at = `UPDATING ${held} s`;
    figures.push(
      { name: `${at}: wall p50`, value: wall, unit: 'ms' },
      { name: `${at}: overhead p50`, value: overP50, unit: 'ms' },
      { name: `${at}: overhead max`, value: overMax, unit: 'ms' },
      { name: `${at}: lag after READY max`, value: lagMax, unit: 'ms', ...(poll ? { aim: `≤ ${poll} ms (one poll)`, ok: lagMax <= Number(poll) } : {}) },
      { name: `${at}: overhead − lag max`, value: netMax, unit: 'ms', aim: '< 1000 ms', ok: netMax < 1000 },
    );
  }
  const rollback =
    /rollback bench: .*?\n.*?\nfast \(existing version, no update\)\s+(\d+) ms\s+(\d+) ms\nslow \(version gone: forward\)\s+(\d+) ms\s+(\d+) ms\naim: .*?\((\d+) ms\)/.exec(
      stdout,
    );
  if (rollback) {
    const [fastP50, fastMax, slowP50, slowMax, aim] = rollback.slice(1).map(Number) as [number, number, number, number, number];
    figures.push(
      { name: 'rollback fast path p50', value: fastP50, unit: 'ms' },
      { name: 'rollback fast path max', value: fastMax, unit: 'ms', aim: `≤ ${aim} ms (poll + 1 s + endpoint move)`, ok: fastMax <= aim },
      { name: 'rollback slow path (forward) p50', value: slowP50, unit: 'ms' },
      { name: 'rollback slow path (forward) max', value: slowMax, unit: 'ms' },
    );
  }
  const cli = /publish-runtime\.ts .*: p50\s+(\d+) ms, max\s+(\d+) ms/.exec(stdout);
  if (cli)
    figures.push(
      { name: 'publish-runtime.ts wall p50', value: Number(cli[1]), unit: 'ms' },
      { name: 'publish-runtime.ts wall max', value: Number(cli[2]), unit: 'ms' },
    );
  return figures;
}

/** One table: bench, figure, value, aim, verdict. */
export function renderTable(results: { bench: string; figures: Figure[]; error?: string }[]): string {
  const rows: string[][] = [['bench', 'figure', 'value', 'aim', '']];
  for (const r of results) {
    if (r.error) rows.push([r.bench, 'FAILED', r.error, '', '✗']);
    for (const f of r.figures) rows.push([r.bench, f.name, `${formatValue(f.value)} ${f.unit}`, f.aim ?? '', f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2);
}
