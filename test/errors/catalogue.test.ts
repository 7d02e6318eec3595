/**
 * The error catalogue: every code's class, exit code and HTTP status agree with how the API and the
 * CLI really treat it, and docs/cli.md and docs/api.md list every code as the catalogue says.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpStatusOf, PayloadTooLargeError } from '../../src/api/http-errors';
import { AuthUnavailableError, ForbiddenError, UnauthorizedError } from '../../src/auth/errors';
import { ApiError, errorFromResponse, exitCodeForStatus } from '../../src/cli/api-client';
import { codesFor, DOC_FILES, renderErrorTable, withErrorTable } from '../../src/error-docs';
import { ERROR_CLASSES, ERROR_CODE_ALIASES, ERROR_CODES, exitCodeOfCode, type ErrorClassName, type ErrorCode } from '../../src/error-codes';
import { CataloguedError, ConflictError, NotFoundError, OperationFailedError, ValidationError } from '../../src/errors';

const ROOT = path.resolve(__dirname, '../..');
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

type Ctor = new (message: string, code?: never) => CataloguedError<ErrorClassName>;
const CLASSES: Record<ErrorClassName, Ctor> = {
  ValidationError,
  NotFoundError,
  ConflictError,
  OperationFailedError,
  UnauthorizedError,
  ForbiddenError,
  AuthUnavailableError,
  PayloadTooLargeError,
} as unknown as Record<ErrorClassName, Ctor>;

describe('the error catalogue', () => {
  it.each(CODES)('%s raised through its class carries the catalogue exit code and HTTP status', (code) => {
    // Prepare
    const spec = ERROR_CODES[code];
    // Act
    const e = new CLASSES[spec.class]('x', code as never);
    // Assess
    expect(e).toMatchObject({ code, exitCode: ERROR_CLASSES[spec.class].exit, fault: ERROR_CLASSES[spec.class].fault, httpStatus: spec.http });
    expect(httpStatusOf(e)).toBe(spec.http);
  });

  it('gives every class exactly one default code', () => {
    // Act
    const defaults = (Object.keys(ERROR_CLASSES) as ErrorClassName[]).map((cls) => [
      cls,
      CODES.filter((c) => ERROR_CODES[c].class === cls && 'default' in ERROR_CODES[c]),
    ]);
    // Assess
    for (const [cls, found] of defaults) expect([cls, found.length]).toEqual([cls, 1]);
    expect(new ValidationError('x').code).toBe('VALIDATION_ERROR');
    expect(new AuthUnavailableError('x').code).toBe('AUTH_UNAVAILABLE');
  });

  it('reports an alias as the code it stands for', () => {
    // Act
    const raised = Object.keys(ERROR_CODE_ALIASES).map((alias) => new ValidationError('x', alias as 'USAGE'));
    // Assess
    expect(raised.map((e) => [e.code, e.exitCode])).toEqual(Object.values(ERROR_CODE_ALIASES).map((c) => [c, 2]));
  });

  it("agrees with the CLI's mapping of HTTP statuses for every code the API answers below 500", () => {
    // Prepare: a code the API answers with a 4xx must exit the same whether the CLI reads the code or the status.
    const apiCodes = codesFor('api').filter((c) => ERROR_CODES[c].http < 500);
    // Act
    const disagree = apiCodes.filter((c) => exitCodeForStatus(ERROR_CODES[c].http) !== exitCodeOfCode(c));
    // Assess
    expect(apiCodes.length).toBeGreaterThan(20);
    expect(disagree).toEqual([]);
  });

  it('makes the CLI exit with the catalogue exit code of an API answer, and by status for an unknown code', () => {
    // Act
    const known = errorFromResponse(409, { error: { code: 'REPO_EXISTS', message: 'm' } }, '');
    const platform = errorFromResponse(500, { error: { code: 'PLATFORM_INVALID', message: 'm' } }, '');
    const unknown = errorFromResponse(418, { error: { code: 'SOMETHING_NEW', message: 'm' } }, '');
    // Assess
    expect([known.exitCode, platform.exitCode, unknown.exitCode]).toEqual([3, 2, 2]);
    expect(new ApiError(0, 'NETWORK', 'down').exitCode).toBe(1);
  });
});

describe('the error tables of the docs', () => {
  it.each(Object.entries(DOC_FILES))('%s holds the generated table, unchanged', (doc, file) => {
    // Prepare
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    // Act
    const regenerated = withErrorTable(doc as 'cli' | 'api', text);
    // Assess
    expect(regenerated === text).toBe(true);
    expect(text).toContain(renderErrorTable(doc as 'cli' | 'api'));
  });

  it.each(Object.entries(DOC_FILES))('%s lists each of its codes with its exit code and HTTP status', (doc, file) => {
    // Prepare
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const rows = new Map(
      text
        .split('\n')
        .map((l) => /^\| `([A-Z_]+)` \| (\d+) \| (\d+) \|/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1]!, doc === 'cli' ? { exit: Number(m[2]), http: Number(m[3]) } : { http: Number(m[2]), exit: Number(m[3]) }]),
    );
    // Act
    const expected = codesFor(doc as 'cli' | 'api').map((c) => [c, { exit: exitCodeOfCode(c), http: ERROR_CODES[c].http }]);
    // Assess
    expect(expected.map(([c]) => [c, rows.get(c as string)])).toEqual(expected);
  });

  it('lists every code in docs/cli.md', () => {
    expect(codesFor('cli')).toEqual(CODES);
  });

  it('--check of the generator exits 0 on the committed docs', () => {
    // Act
    const out = execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/gen-error-docs.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Assess
    expect(out).toBe('');
  });
});
