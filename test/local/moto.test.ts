import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { assertLoopbackEndpoint, resetMoto } from '../../src/local/moto';
import { useMoto } from '../support/moto';

describe('local AWS emulator', () => {
  const moto = useMoto();

  it('serves SSM through the standard AWS_ENDPOINT_URL and forgets everything on reset', async () => {
    // Prepare
    const ssm = new SSMClient({});
    await ssm.send(new PutParameterCommand({ Name: '/t/x', Value: 'v', Type: 'String' }));
    // Act
    await resetMoto(moto.endpoint());
    // Assess
    await expect(ssm.send(new GetParameterCommand({ Name: '/t/x' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it.each(['http://127.0.0.1:5000', 'http://localhost:4566', 'http://[::1]:5000'])('accepts loopback endpoint %s', (url) => {
    expect(assertLoopbackEndpoint(url)).toBe(url);
  });

  it.each(['https://ssm.us-east-1.amazonaws.com', 'http://10.0.0.5:5000', 'http://127.0.0.1.evil.com', 'not a url'])(
    'refuses non-loopback endpoint %s',
    (url) => {
      expect(() => assertLoopbackEndpoint(url)).toThrow(/loopback|not a URL/);
    },
  );

  it('refuses when no endpoint is set', () => {
    expect(() => assertLoopbackEndpoint(undefined)).toThrow(/AWS_ENDPOINT_URL is not set/);
  });
});
