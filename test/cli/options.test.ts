/** Options resolved from flags, the environment and the configuration: scopes, API URL, runtime env. */
import { parseScopes } from '../../src/cli/commands/api-key';
import { runtimeEnv } from '../../src/cli/commands/runtime';
import { resolveApiUrl } from '../../src/cli/common';

describe('options', () => {
  it('scopes: repeated or comma-separated, each once; unknown ones refused', () => {
    // Act / Assess
    expect(parseScopes(['repos:read,repos:write', 'repos:read'])).toEqual(['repos:read', 'repos:write']);
    expect(() => parseScopes(['repos:admin'])).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => parseScopes(undefined)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('API URL: flag, then ABCA_API_URL, then the configured one; none is a usage error', () => {
    // Prepare
    const config = { env: 'dev', region: 'r', apiUrl: 'https://configured', userPoolId: 'p', userPoolClientId: 'c' };
    // Act / Assess
    expect(resolveApiUrl('http://flag', { ABCA_API_URL: 'http://env' }, config)).toBe('http://flag');
    expect(resolveApiUrl(undefined, { ABCA_API_URL: 'http://env' }, config)).toBe('http://env');
    expect(resolveApiUrl(undefined, {}, config)).toBe('https://configured');
    expect(() => resolveApiUrl(undefined, {}, undefined)).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED', exitCode: 2 }));
    expect(() => resolveApiUrl('ftp://x', {}, undefined)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('runtime env: flag, then ABCA_ENV, then the configured one, then dev', () => {
    // Act / Assess
    expect(runtimeEnv('a', { ABCA_ENV: 'b' }, 'c')).toBe('a');
    expect(runtimeEnv(undefined, { ABCA_ENV: 'b' }, 'c')).toBe('b');
    expect(runtimeEnv(undefined, {}, 'c')).toBe('c');
    expect(runtimeEnv(undefined, {}, undefined)).toBe('dev');
    expect(() => runtimeEnv('Bad_Env', {}, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_ENV' }));
  });
});
