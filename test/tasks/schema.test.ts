import { ValidationError } from '../../src/errors';
import { parseTaskInput } from '../../src/tasks/schema';

function problemsOf(body: unknown): { field: string; message: string }[] {
  try {
    parseTaskInput(body);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toMatchObject({ code: 'VALIDATION_ERROR', exitCode: 2 });
    return (e as ValidationError).details!.problems as { field: string; message: string }[];
  }
  throw new Error('expected a validation error');
}

describe('task input', () => {
  it('accepts a repository, a description with newlines and tabs, and an idempotency key', () => {
    // Act
    const input = parseTaskInput({ repo: 'octo/widgets', description: 'Fix the parser\n\t- and its tests', idempotency_key: 'ci:run-42.attempt_1' });
    // Assess
    expect(input).toEqual({ repo: 'octo/widgets', description: 'Fix the parser\n\t- and its tests', idempotency_key: 'ci:run-42.attempt_1' });
  });

  it('turns CRLF into newlines rather than refusing them', () => {
    // Act
    const input = parseTaskInput({ repo: 'o/r', description: 'line one\r\nline two' });
    // Assess
    expect(input.description).toBe('line one\nline two');
  });

  it.each([
    ['an empty description', { repo: 'o/r', description: '' }, 'description'],
    ['a blank description', { repo: 'o/r', description: ' \n\t ' }, 'description'],
    ['a description over 8000 characters', { repo: 'o/r', description: 'x'.repeat(8001) }, 'description'],
    ['a control character', { repo: 'o/r', description: 'ring \u0007 the bell' }, 'description'],
    ['a lone carriage return', { repo: 'o/r', description: 'a\rb' }, 'description'],
    ['an idempotency key with a space', { repo: 'o/r', description: 'x', idempotency_key: 'a b' }, 'idempotency_key'],
    ['an idempotency key over 128 characters', { repo: 'o/r', description: 'x', idempotency_key: 'k'.repeat(129) }, 'idempotency_key'],
    ['an empty idempotency key', { repo: 'o/r', description: 'x', idempotency_key: '' }, 'idempotency_key'],
    ['a repository that is not owner/repo', { repo: 'widgets', description: 'x' }, 'repo'],
    ['an unknown field', { repo: 'o/r', description: 'x', priority: 'high' }, '(body)'],
  ])('refuses %s, naming the field', (_what, body, field) => {
    // Act
    const problems = problemsOf(body);
    // Assess
    expect(problems.map((p) => p.field)).toContain(field);
  });

  it('accepts exactly 8000 characters and a 128-character key', () => {
    // Act
    const input = parseTaskInput({ repo: 'o/r', description: 'x'.repeat(8000), idempotency_key: 'k'.repeat(128) });
    // Assess
    expect(input.description).toHaveLength(8000);
  });

  it('refuses a body that is not an object', () => {
    // Act
    const problems = problemsOf('fix it');
    // Assess
    expect(problems).toHaveLength(1);
  });
});
