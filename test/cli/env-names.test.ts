/**
 * Environment names are letters and digits: with a "-", `abca-dev-*` policies would cover every
 * name of an environment called `dev-eu`. Refused with one clear error, exit 2 in scripts and CLI.
 */
import { ValidationError } from '../../src/errors';
import { platformNames } from '../../src/platform/names';
import { runTsx } from '../support/run';

describe('environment names', () => {
  it('refuses "-" with a ValidationError that says why, and takes letters and digits', () => {
    // Act
    const attempt = () => platformNames('dev-eu');
    // Assess
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_ENV', message: expect.stringContaining('"-" is not allowed') }));
    expect(platformNames('deveu2').tables.repos).toBe('abca-deveu2-repos');
    expect(platformNames('prod').agentRuntime).toBe('abca_prod_agent');
    expect(() => platformNames('a'.repeat(17))).toThrow(expect.objectContaining({ code: 'INVALID_ENV' }));
  });

  it('caps the name it echoes', () => {
    expect(() => platformNames('x'.repeat(10_000))).toThrow(expect.objectContaining({ message: expect.stringMatching(/^invalid environment name "x{40}…"/) }));
  });

  it.each([
    ['scripts/bootstrap-local.ts', ['--env', 'dev-eu']],
    ['scripts/runtime-status.ts', ['--env', 'dev-eu']],
    ['bin/bgagent.js', ['configure', '--env', 'dev-eu']],
  ])('%s exits 2 with one clear line', async (entry, args) => {
    // Act
    const run = await runTsx(entry, args, { env: { ABCA_ENV: '' } });
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/INVALID_ENV: invalid environment name "dev-eu".*"-" is not allowed/);
  });
});
