/** SSM behaviour the emulator adds to moto: AllowedPattern is enforced, as AWS does. */
import { GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { IMAGE_DIGEST_PATTERN } from '../../src/platform/runtime-spec';
import { useMoto } from '../support/moto';

describe('SSM AllowedPattern', () => {
  useMoto();
  const ssm = new SSMClient({ maxAttempts: 1 });
  const digest = `sha256:${'a'.repeat(64)}`;

  it('refuses a value the pattern does not match, at create and on overwrite (the pattern is kept), writing nothing', async () => {
    // Prepare
    await ssm.send(new PutParameterCommand({ Name: '/p/pointer', Type: 'String', Value: digest, AllowedPattern: IMAGE_DIGEST_PATTERN }));
    // Act
    const create = ssm.send(new PutParameterCommand({ Name: '/p/other', Type: 'String', Value: 'latest', AllowedPattern: IMAGE_DIGEST_PATTERN }));
    const overwrite = ssm.send(new PutParameterCommand({ Name: '/p/pointer', Type: 'String', Value: 'latest', Overwrite: true }));
    // Assess
    await expect(create).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
    await expect(overwrite).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/p/pointer' }));
    expect(history.Parameters?.map((p) => p.Value)).toEqual([digest]);
  });

  it('accepts a matching value on overwrite', async () => {
    // Act
    const out = await ssm.send(new PutParameterCommand({ Name: '/p/pointer', Type: 'String', Value: `sha256:${'b'.repeat(64)}`, Overwrite: true }));
    // Assess
    expect(out.Version).toBe(2);
  });
});
