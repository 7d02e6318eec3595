/** Exit codes: API errors by code and status, network failures, commander's refusals; API paths. */
import { CommanderError } from 'commander';
import { ApiError, errorFromResponse, exitCodeForStatus, repoPath } from '../../src/cli/api-client';
import { networkError, usageError } from '../../src/cli/main';

describe('exit codes and API errors', () => {
  it.each([
    [400, 2],
    [401, 2],
    [403, 2],
    [404, 2],
    [413, 2],
    [422, 2],
    [409, 3],
    [412, 3],
    [429, 1],
    [500, 1],
    [502, 1],
    [503, 1],
  ])('HTTP %i exits %i', (status, code) => {
    // Act / Assess
    expect(exitCodeForStatus(status)).toBe(code);
  });

  it("keeps the API's code and message, and the status, from {error:{code,message}}", () => {
    // Act
    const e = errorFromResponse(422, { error: { code: 'REPO_NOT_ONBOARDED', message: 'acme/x is not active', field: 'repo' } }, '');
    // Assess
    expect(e).toBeInstanceOf(ApiError);
    expect([e.code, e.message, e.status, e.exitCode]).toEqual(['REPO_NOT_ONBOARDED', 'acme/x is not active', 422, 2]);
    expect(e.toJSON()).toEqual({ code: 'REPO_NOT_ONBOARDED', message: 'acme/x is not active', details: { status: 422, field: 'repo' } });
  });

  it("names API Gateway's and proxies' answers by status when they carry no error code", () => {
    // Act
    const gw = errorFromResponse(401, { message: 'Unauthorized' }, '{"message":"Unauthorized"}');
    const html = errorFromResponse(502, undefined, '<html>Bad Gateway</html>\n<body/>');
    // Assess
    expect([gw.code, gw.message, gw.exitCode]).toEqual(['UNAUTHORIZED', 'Unauthorized', 2]);
    expect([html.code, html.message, html.exitCode]).toEqual(['SERVER_ERROR', '<html>Bad Gateway</html>', 1]);
  });

  it('a network failure (status 0) is a failure, exit 1', () => {
    // Act / Assess
    expect(new ApiError(0, 'NETWORK', 'cannot reach').exitCode).toBe(1);
  });

  it('encodes owner and name as path segments', () => {
    // Act / Assess
    expect(repoPath('acme/my.repo')).toBe('/v1/repos/acme/my.repo');
    expect(repoPath('a?b/c#d')).toBe('/v1/repos/a%3Fb/c%23d');
  });

  it('an SDK connection failure becomes NETWORK (exit 1); other errors are left alone', () => {
    // Act
    const refused = networkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    // Assess
    expect(refused).toMatchObject({ code: 'NETWORK', exitCode: 1 });
    expect(refused!.message).toContain('connect ECONNREFUSED 127.0.0.1:9');
    expect(networkError(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))).toBeUndefined();
  });

  it("commander's refusals are usage errors (2); help and version are not errors", () => {
    // Act
    const unknown = usageError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"));
    // Assess
    expect(unknown).toMatchObject({ code: 'VALIDATION_ERROR', exitCode: 2, message: "unknown option '--x' (see --help)" });
    expect(usageError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBeUndefined();
    expect(usageError(new CommanderError(0, 'commander.version', '0.1.0'))).toBeUndefined();
  });
});
