/**
 * Optimistic concurrency: read, decide, conditional write; when the write loses a race, read again
 * and retry, a few times, with a short random pause so racing writers spread out. One loop for
 * every read-check-write of a row (the repos API's PATCH, DELETE, token PUT, …).
 */
export interface OptimisticRetryOptions {
  /** Tries in all (1 = no retry, e.g. when the caller pinned a version with If-Match). */
  attempts: number;
  /** Did this failure lose a race (a conditional write refused)? Anything else is rethrown at once. */
  lost: (e: unknown) => boolean;
  /** The error to throw when every try lost. */
  exhausted: () => Error;
  /** Pause before try `n + 1` (default: random, up to 20 ms × n). */
  pauseMs?: (attempt: number) => number;
}

const defaultPause = (attempt: number) => Math.random() * 20 * attempt;

export async function withOptimisticRetry<T>(opts: OptimisticRetryOptions, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!opts.lost(e)) throw e;
      if (n >= opts.attempts) throw opts.exhausted();
      await new Promise((resolve) => setTimeout(resolve, (opts.pauseMs ?? defaultPause)(n)));
    }
  }
}
