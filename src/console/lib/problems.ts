/**
 * The API's errors as the page shows them: `{"error": {"code", "message", "details"}}` becomes a
 * Problem (message and code, never a stack), and field problems (`details.problems`, as the API's
 * validation and guardrail errors carry them) go next to the field they concern.
 */
export interface Problem {
  status: number;
  code: string;
  message: string;
  /** Field path (e.g. `model_id`, `repo`) → what is wrong with it. */
  fields: Record<string, string>;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: { problems?: unknown } };
}

export function problemOf(status: number, body: unknown): Problem {
  const err = (body as ErrorBody | undefined)?.error;
  const code = typeof err?.code === 'string' ? err.code : status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`;
  const message = typeof err?.message === 'string' ? err.message : status === 0 ? 'the API could not be reached' : `the API answered ${status}`;
  const fields: Record<string, string> = {};
  const problems = err?.details?.problems;
  if (Array.isArray(problems)) {
    for (const p of problems as { field?: unknown; message?: unknown }[]) {
      if (typeof p?.field !== 'string' || typeof p.message !== 'string') continue;
      // One message per field: the first is the one to fix first.
      fields[p.field] ??= p.message;
    }
  }
  return { status, code, message, fields };
}

/** A Cognito error (`{"__type": "NotAuthorizedException", "message": …}`) as a Problem. */
export function cognitoProblem(status: number, body: unknown): Problem {
  const b = body as { __type?: unknown; message?: unknown } | undefined;
  const type = typeof b?.__type === 'string' ? b.__type.split('#').pop()! : `HTTP_${status}`;
  const message = typeof b?.message === 'string' ? b.message : `Cognito answered ${status}`;
  return { status, code: type, message, fields: {} };
}

/** Field problems that no field on the form shows: they go into the banner instead. */
export function unplacedFields(problem: Problem, shown: readonly string[]): [string, string][] {
  return Object.entries(problem.fields).filter(([f]) => !shown.includes(f));
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}
