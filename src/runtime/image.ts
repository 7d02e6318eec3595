/** Resolves what to publish: a digest that exists in the platform's own ECR repository. */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { isAwsError } from '../aws/errors';
import { NotFoundError, ValidationError } from '../errors';
import { isImageDigest, parseContainerUri } from '../platform/runtime-spec';
import type { RuntimeContext } from './context';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Pure input check; runs before any AWS call. */
export function checkImageInput(input: { imageDigest?: string; imageTag?: string }, repositoryUrl: string): { digest?: string; tag?: string } {
  if (!!input.imageDigest === !!input.imageTag) throw new ValidationError('give exactly one of --image-digest or --image-tag', 'VALIDATION_ERROR');
  if (input.imageTag !== undefined) {
    if (!TAG.test(input.imageTag)) throw new ValidationError(`"${input.imageTag}" is not a valid image tag`, 'INVALID_TAG');
    return { tag: input.imageTag };
  }
  const value = input.imageDigest!;
  if (value.includes('@')) {
    const parsed = parseContainerUri(value);
    if (!parsed) throw new ValidationError(`"${value}" is not a digest-pinned image URI`, 'INVALID_DIGEST');
    if (parsed.repositoryUrl !== repositoryUrl) {
      throw new ValidationError(`image ${parsed.repositoryUrl} is not the platform's repository (${repositoryUrl})`, 'FOREIGN_IMAGE');
    }
    return { digest: parsed.digest };
  }
  if (!isImageDigest(value)) throw new ValidationError(`"${value}" is not an image digest (sha256:<64 lowercase hex>)`, 'INVALID_DIGEST');
  return { digest: value };
}

export async function resolveImage(ctx: RuntimeContext, input: { imageDigest?: string; imageTag?: string }): Promise<string> {
  const { digest, tag } = checkImageInput(input, ctx.platform.ecrRepositoryUrl);
  const imageIds = [digest ? { imageDigest: digest } : { imageTag: tag }];
  try {
    const out = await ctx.clients.ecr.send(new DescribeImagesCommand({ repositoryName: ctx.platform.ecrRepositoryName, imageIds }));
    const found = out.imageDetails?.[0]?.imageDigest;
    if (found) return found;
  } catch (e) {
    if (!isAwsError(e, 'ImageNotFoundException')) throw e;
  }
  throw new NotFoundError(`image ${digest ?? `tag ${tag}`} is not in ECR repository ${ctx.platform.ecrRepositoryName}`, 'IMAGE_NOT_FOUND');
}
