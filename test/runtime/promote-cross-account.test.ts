/**
 * Cross-account promotion against moto, which keeps state per account: an AssumeRole into a role
 * of account 111111111111 gives credentials in that account. The source (dev) lives there; the
 * target (prod) in the default account. The source is read only with the assumed role's
 * credentials, and its repository is named by its registry id.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients, stsClient } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { openRuntime, publishRuntime } from '../../src/runtime';
import { promoteRuntime, promoteOptionsFromFlags, registryOf, sourceClients } from '../../src/runtime/verbs/promote';
import { captureCalls } from '../support/faults';
import { useMoto } from '../support/moto';
import { FAST, pushImage } from './support';

const SOURCE_ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/abca-dev-promotion-source`;

describe('promotion from another account', () => {
  useMoto();

  it('reads the source with the assumed role, names its registry, and publishes the same digest in the target account', async () => {
    // Prepare: dev in the source account (through the role), prod in ours, accepting dev
    const remote = sourceClients({ roleArn: ROLE });
    const local = createClients();
    const whoami = await stsClient({ credentials: remote.ecr.config.credentials }).send(new GetCallerIdentityCommand({}));
    await bootstrapLocal({ env: 'dev', clients: remote });
    await bootstrapLocal({ env: 'prod', clients: local, promoteFrom: ['dev'] });
    const devCtx = await openRuntime('dev', { clients: remote, actor: 'tester@test' });
    const digest = await pushImage(devCtx, 'x1');
    await publishRuntime(devCtx, { imageTag: 'x1', smokeCmd: 'true', ...FAST });
    const sentToSource = captureCalls<{ registryId?: string }>(remote.ecr);
    const { options } = promoteOptionsFromFlags({ from: 'dev', to: 'prod', sourceRoleArn: ROLE, smokeCmd: 'true' });
    // Act
    const [source, target] = await Promise.all([openRuntime('dev', { clients: remote, actor: 'ci' }), openRuntime('prod', { clients: local, actor: 'ci' })]);
    const result = await promoteRuntime(source, target, { ...options, ...FAST });
    // Assess
    expect(whoami.Account).toBe(SOURCE_ACCOUNT);
    expect(result).toMatchObject({ outcome: 'published', digest, copy: { copied: true } });
    expect(result.copy.uploadedBlobs!.length).toBeGreaterThan(0);
    const inTarget = await local.ecr.send(
      new DescribeImagesCommand({ repositoryName: target.platform.ecrRepositoryName, imageIds: [{ imageDigest: digest }] }),
    );
    expect(inTarget.imageDetails![0]!.imageDigest).toBe(digest);
    const registry = registryOf(source.platform.ecrRepositoryUrl);
    expect(sentToSource.filter((c) => /BatchGetImage|GetDownloadUrlForLayer/.test(c.command)).every((c) => c.input.registryId === registry)).toBe(true);
    // moto keeps accounts apart: our own credentials see no dev at all.
    await expect(openRuntime('dev', { clients: local })).rejects.toBeTruthy();
  }, 120_000);

  it('the source flags: a role or a profile (not both), a region, a registry id; checked before anything runs', () => {
    const base = { from: 'dev', to: 'prod' };
    expect(promoteOptionsFromFlags({ ...base, sourceRoleArn: ROLE, sourceRegion: 'eu-west-1', sourceRegistryId: SOURCE_ACCOUNT }).options.source).toEqual({
      roleArn: ROLE,
      region: 'eu-west-1',
      registryId: SOURCE_ACCOUNT,
      profile: undefined,
    });
    expect(promoteOptionsFromFlags(base).options.source).toBeUndefined();
    expect(() => promoteOptionsFromFlags({ ...base, sourceRoleArn: ROLE, sourceProfile: 'staging' })).toThrow('not both');
    expect(() => promoteOptionsFromFlags({ ...base, sourceRoleArn: 'not-an-arn' })).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => promoteOptionsFromFlags({ ...base, sourceRegistryId: '12' })).toThrow('12-digit');
    expect(registryOf('111111111111.dkr.ecr.eu-west-1.amazonaws.com/abca-dev-agent')).toBe(SOURCE_ACCOUNT);
  });
});
