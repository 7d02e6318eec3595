/** What a caller submits: POST /v1/tasks body, `bgagent submit`. Unknown fields are refused. */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { canonicalRepoId, RepoIdSchema, zodProblems } from '../repos/repo-config';

export const DESCRIPTION_MAX = 8000;
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

const Description = z
  .string()
  // CRLF from a Windows editor is a newline, not a control character.
  .transform((s) => s.replace(/\r\n/g, '\n'))
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`)
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), { message: 'must not contain control characters other than newline and tab' })
      .refine((s) => s.trim().length > 0, { message: 'must not be blank' }),
  );

export const TaskInputSchema = z
  .object({
    // Stored and looked up as the API keys repositories: lower case (GitHub ids are case-insensitive).
    repo: RepoIdSchema.transform(canonicalRepoId),
    description: Description,
    idempotency_key: z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-128 of A-Z a-z 0-9 _ . : -').optional(),
  })
  .strict();
export type TaskInput = z.infer<typeof TaskInputSchema>;

/** Parses a body; VALIDATION_ERROR (400) with `details.problems: [{field, message}]` otherwise. */
export function parseTaskInput(body: unknown): TaskInput {
  const parsed = TaskInputSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = zodProblems(parsed.error);
  throw new ValidationError(`invalid task: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, 'VALIDATION_ERROR', { problems });
}
