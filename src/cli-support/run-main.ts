/**
 * Shared entry wrapper for scripts and the CLI: one clear error line on stderr (or a JSON error
 * with --json), and the exit code the error class carries (0 ok, 1 failure, 2 input, 3 conflict/drift).
 */
import { describeError, exitCodeOf, isAbcaError } from '../errors';

export function runMain(main: () => Promise<number | void>, opts: { json?: () => boolean } = {}): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (e: unknown) => {
      if (opts.json?.()) {
        const body = isAbcaError(e) ? e.toJSON() : { code: 'INTERNAL', message: describeError(e) };
        process.stdout.write(`${JSON.stringify({ ok: false, error: body })}\n`);
      }
      process.stderr.write(`error: ${describeError(e)}\n`);
      if (process.env.ABCA_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = exitCodeOf(e);
    },
  );
}
