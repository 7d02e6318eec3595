/**
 * Local tools write only to a local emulator: not just AWS_ENDPOINT_URL, but the endpoint each
 * client actually resolves (AWS_ENDPOINT_URL_<SERVICE>, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { assertLoopbackClients, assertLoopbackEndpoint, resolvedEndpoint } from '../../src/local/moto';
import { runTsx } from '../support/run';

const LOCAL = 'http://127.0.0.1:4566';

describe('loopback check', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('refuses a per-service endpoint or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS next to a loopback AWS_ENDPOINT_URL', () => {
    expect(assertLoopbackEndpoint(LOCAL, { AWS_ENDPOINT_URL_SSM: 'http://localhost:5000' })).toBe(LOCAL);
    expect(() => assertLoopbackEndpoint(LOCAL, { AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamodb.us-east-1.amazonaws.com' })).toThrow(
      /refusing AWS_ENDPOINT_URL_DYNAMODB/,
    );
    expect(() => assertLoopbackEndpoint(LOCAL, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toThrow(/AWS_IGNORE_CONFIGURED_ENDPOINT_URLS/);
    expect(assertLoopbackEndpoint(LOCAL, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' })).toBe(LOCAL);
  });

  it('checks the endpoint each client resolves, as the SDK resolves it', async () => {
    // Prepare
    process.env.AWS_ENDPOINT_URL = LOCAL;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = 'https://secretsmanager.us-east-1.amazonaws.com';
    // Act + Assess
    await expect(assertLoopbackClients(createClients() as never)).rejects.toThrow(
      /the Secrets Manager client resolves to "https:\/\/secretsmanager\.us-east-1\.amazonaws\.com"/,
    );
    delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    await expect(assertLoopbackClients(createClients() as never)).resolves.toBeUndefined();
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    await expect(assertLoopbackClients({ ssm: new SSMClient({ region: 'us-east-1' }) })).rejects.toThrow(/the SSM client would call AWS itself/);
    expect(await resolvedEndpoint(new SSMClient({ region: 'us-east-1', endpoint: 'http://[::1]:9/x' }))).toBe('http://[::1]:9/x');
  });

  it('makes bootstrap-local refuse (exit non-zero, nothing written) when one service would reach AWS', async () => {
    // Act
    const run = await runTsx('scripts/bootstrap-local.ts', ['--env', 'loopguard'], {
      env: { AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamodb.us-east-1.amazonaws.com' },
    });
    // Assess
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/NOT_LOOPBACK: refusing AWS_ENDPOINT_URL_DYNAMODB/);
  });
});
