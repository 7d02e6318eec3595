/** A child process as data: what a plan step runs and what `--dry-run` prints. */

/** A child process: argv[0] is the program. Values in `env` are added to the inherited environment. */
export interface Command {
  argv: string[];
  env?: Record<string, string>;
  /** Written to the child's stdin. */
  stdin?: string;
  /** Names a secret fetched at run time and written to stdin (never printed, never in the plan). */
  stdinSecret?: string;
}

/** POSIX shell quoting, for printing commands an operator can paste. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function renderCommand(c: Command): string {
  const env = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const line = [...env, ...c.argv.map(shellQuote)].join(' ');
  if (c.stdinSecret) return `<${c.stdinSecret}> | ${line}`;
  if (c.stdin !== undefined) return `printf '%s' ${shellQuote(c.stdin)} | ${line}`;
  return line;
}
