import { GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { promotionPolicyParameter, readPromotionPolicy } from '../../src/platform/promotion-policy';
import { listAudit, publishRuntime, type RuntimeContext } from '../../src/runtime';
import { promotedTag } from '../../src/runtime/ecr-copy';
import { promoteRuntime } from '../../src/runtime/verbs/promote';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pointerVersions, pushImage } from './support';

const clients = createClients();
const servedUri = async (ctx: RuntimeContext) =>
  (await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }))).agentRuntimeArtifact?.containerConfiguration
    ?.containerUri;
const inRepo = async (ctx: RuntimeContext, digest: string) =>
  (await ctx.clients.ecr.send(new DescribeImagesCommand({ repositoryName: ctx.platform.ecrRepositoryName })))
    .imageDetails!.map((d) => d.imageDigest)
    .includes(digest);

describe('runtime promote: two environments in one emulator', () => {
  useMoto();
  let dev: RuntimeContext;
  let prod: RuntimeContext;
  let qa: RuntimeContext;
  let a: string;
  let b: string;

  beforeAll(async () => {
    dev = await bootstrappedRuntime('dev', clients);
    prod = await bootstrappedRuntime('prod', clients, { promoteFrom: ['dev'] });
    qa = await bootstrappedRuntime('qa', clients);
    a = await pushImage(dev, 'a');
    b = await pushImage(dev, 'b');
    await publishRuntime(dev, { imageTag: 'a', smokeCmd: 'true', ...FAST });
    await expect(publishRuntime(dev, { imageTag: 'b', smokeCmd: 'false', ...FAST })).rejects.toMatchObject({ code: 'ROLLED_BACK' });
    await pushImage(qa, 'q');
    await publishRuntime(qa, { imageTag: 'q', smokeCmd: 'true', ...FAST });
  });

  it('the bootstrap writes each environment its promotion policy', async () => {
    // Act
    const [prodPolicy, devPolicy] = await Promise.all([readPromotionPolicy(clients.ssm, 'prod'), readPromotionPolicy(clients.ssm, 'dev')]);
    // Assess
    expect(prodPolicy).toEqual({ accept_from: ['dev'], require_smoke: true });
    expect(devPolicy).toEqual({ accept_from: [], require_smoke: true });
  });

  it('--dry-run says the image must be copied and writes nothing', async () => {
    // Prepare
    const versions = (await pointerVersions(prod)).length;
    // Act
    const result = await promoteRuntime(dev, prod, { dryRun: true, ...FAST });
    // Assess
    expect(result).toMatchObject({ outcome: 'dry_run', digest: a, copy: { needed: true } });
    expect(result.steps[0]).toContain(`copy ${a}`);
    expect(await inRepo(prod, a)).toBe(false);
    expect(await pointerVersions(prod)).toHaveLength(versions);
  });

  it('promoting dev → prod puts A live in prod with the same digest and records where it came from', async () => {
    // Prepare
    expect(prod.platform.ecrRepositoryUrl).not.toBe(dev.platform.ecrRepositoryUrl);
    const [sourceEvent] = (await listAudit(dev)).filter((e) => e.action === 'publish' && e.to_digest === a && e.outcome === 'succeeded');
    const dry = await promoteRuntime(dev, prod, { dryRun: true, smokeCmd: 'true', ...FAST });
    // Act
    const result = await promoteRuntime(dev, prod, { smokeCmd: 'true', ...FAST });
    // Assess
    // The dry run printed the plan that ran: the copy first, then the publish, step for step.
    expect(result.publish.executed).toEqual(dry.publish.plan.steps);
    expect(result.steps).toEqual(dry.steps);
    expect(result.publish.executed[0]).toEqual({
      kind: 'copy_image',
      digest: a,
      from: { env: 'dev', repository: dev.platform.ecrRepositoryName },
      into: prod.platform.ecrRepositoryName,
      tag: promotedTag('dev', a),
    });
    expect(result).toMatchObject({ outcome: 'published', from: 'dev', to: 'prod', digest: a, copy: { needed: true, copied: true } });
    expect(await inRepo(prod, a)).toBe(true);
    // Tagged, so the repository's untagged-image expiry never removes what prod runs.
    const copied = await prod.clients.ecr.send(new DescribeImagesCommand({ repositoryName: prod.platform.ecrRepositoryName, imageIds: [{ imageDigest: a }] }));
    expect(copied.imageDetails![0]!.imageTags).toEqual([promotedTag('dev', a)]);
    expect(await servedUri(prod)).toBe(`${prod.platform.ecrRepositoryUrl}@${a}`);
    const promotedFrom = { env: 'dev', pointer_version: sourceEvent!.pointer_version, event_id: sourceEvent!.event_id };
    expect(result.promotedFrom).toEqual(promotedFrom);
    const [event] = await listAudit(prod);
    expect(event).toMatchObject({
      action: 'publish',
      to_digest: a,
      outcome: 'succeeded',
      smoke: 'passed',
      promoted_from: promotedFrom,
      reason: 'promote from dev',
    });
    expect((await pointerVersions(prod)).at(-1)!.Description).toContain(`promoted_from=dev@v${sourceEvent!.pointer_version}#${sourceEvent!.event_id}`);
  });

  it('promoting again is a no-op: nothing copied, no new pointer version', async () => {
    // Prepare
    const versions = (await pointerVersions(prod)).length;
    // Act
    const result = await promoteRuntime(dev, prod, { digest: a, ...FAST });
    // Assess
    expect(result).toMatchObject({ outcome: 'noop', copy: { copied: false } });
    expect(await pointerVersions(prod)).toHaveLength(versions);
  });

  it('promoting B, whose smoke failed in dev, is refused before any write, naming why', async () => {
    // Prepare
    const versions = (await pointerVersions(prod)).length;
    // Act + Assess
    await expect(promoteRuntime(dev, prod, { digest: b, ...FAST })).rejects.toMatchObject({
      code: 'DIGEST_NOT_PROMOTABLE',
      exitCode: 2,
      message: expect.stringContaining('ended rolled_back'),
    });
    expect(await inRepo(prod, b)).toBe(false);
    expect(await pointerVersions(prod)).toHaveLength(versions);
  });

  it('a digest never published in the source, and a malformed one, are refused', async () => {
    // Prepare
    const c = await pushImage(dev, 'c');
    // Act + Assess
    await expect(promoteRuntime(dev, prod, { digest: c })).rejects.toMatchObject({
      code: 'DIGEST_NOT_PROMOTABLE',
      message: expect.stringContaining('never published'),
    });
    await expect(promoteRuntime(dev, prod, { digest: 'latest' })).rejects.toMatchObject({ code: 'INVALID_DIGEST', exitCode: 2 });
  });

  it('promoting from an environment the policy does not allow is refused; changing the policy (no deploy) allows it', async () => {
    // Prepare
    const versions = (await pointerVersions(prod)).length;
    // Act + Assess: qa is not in prod's accept_from
    await expect(promoteRuntime(qa, prod, FAST)).rejects.toMatchObject({
      code: 'PROMOTION_NOT_ALLOWED',
      exitCode: 2,
      message: expect.stringContaining('accepts only from dev, not from "qa"'),
    });
    expect(await pointerVersions(prod)).toHaveLength(versions);
    // Act: the operator widens the policy with a plain parameter write
    await clients.ssm.send(
      new PutParameterCommand({
        Name: promotionPolicyParameter('prod'),
        Value: JSON.stringify({ accept_from: ['dev', 'qa'] }),
        Type: 'String',
        Overwrite: true,
      }),
    );
    const result = await promoteRuntime(qa, prod, { smokeCmd: 'true', ...FAST });
    // Assess
    expect(result).toMatchObject({ outcome: 'published', from: 'qa' });
    // A re-bootstrap keeps the operator's policy.
    await bootstrapLocal({ env: 'prod', clients, promoteFrom: ['dev'] });
    expect((await readPromotionPolicy(clients.ssm, 'prod')).accept_from).toEqual(['dev', 'qa']);
  });

  it('an environment cannot promote into itself, nor into one that accepts nothing', async () => {
    // Act + Assess
    await expect(promoteRuntime(dev, dev)).rejects.toMatchObject({ code: 'PROMOTION_NOT_ALLOWED', message: expect.stringContaining('into itself') });
    await expect(promoteRuntime(prod, dev)).rejects.toMatchObject({
      code: 'PROMOTION_NOT_ALLOWED',
      message: expect.stringContaining('accepts promotions from no environment'),
    });
  });
});
