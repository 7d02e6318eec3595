/**
 * The first agent image. The ECR repository is IMMUTABLE, so pushing the same tag twice fails:
 * the step looks before it builds (the environment's pointer, then --image-digest, then the tag)
 * and only builds and pushes when none of them names an image.
 */
import * as fs from 'node:fs';
import {
  BatchDeleteImageCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand,
  paginateListImages,
  type ECRClient,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { NotFoundError, OperationFailedError } from '../errors';
import { isImageDigest } from '../platform/runtime-spec';
import type { Command } from './command';
import type { ImageStep } from './plan';
import type { Runner } from './runner';

export function bootstrapTag(commit: string): string {
  return `bootstrap-${commit.slice(0, 12)}`;
}

/** The buildx command CI uses too: linux/arm64, a single manifest (no attestations), pushed. */
export function buildCommand(opts: { agentDir: string; repositoryUrl: string; tag: string; commit: string; metadataFile: string }): Command {
  return {
    argv: [
      'docker',
      'buildx',
      'build',
      opts.agentDir,
      '--file',
      `${opts.agentDir}/Dockerfile`,
      '--platform',
      'linux/arm64',
      '--provenance=false',
      '--sbom=false',
      '--build-arg',
      `GIT_COMMIT=${opts.commit}`,
      '--tag',
      `${opts.repositoryUrl}:${opts.tag}`,
      '--push',
      '--metadata-file',
      opts.metadataFile,
    ],
  };
}

export function loginCommand(repositoryUrl: string): Command {
  return { argv: ['docker', 'login', '--username', 'AWS', '--password-stdin', repositoryUrl.split('/')[0]!], stdinSecret: 'ECR authorization token' };
}

/** The platform's ECR repository: image lookups, the registry login, and emptying it for teardown. */
export class ImageRepository {
  constructor(private readonly ecr: ECRClient) {}

  /** The digest of the image, or undefined when the repository does not hold it. */
  async find(repositoryName: string, imageId: ImageIdentifier): Promise<string | undefined> {
    try {
      const out = await this.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
      return out.imageDetails?.[0]?.imageDigest;
    } catch (e) {
      if (isAwsError(e, 'ImageNotFoundException')) return undefined;
      if (isAwsError(e, 'RepositoryNotFoundException')) {
        throw new NotFoundError(`ECR repository ${repositoryName} does not exist (the deploy-ecr step creates it)`, 'REPOSITORY_NOT_FOUND');
      }
      throw e;
    }
  }

  /** The password `docker login` takes (the token is base64 of `AWS:<password>`). */
  async loginPassword(): Promise<string> {
    const auth = await this.ecr.send(new GetAuthorizationTokenCommand({}));
    const token = auth.authorizationData?.[0]?.authorizationToken;
    if (!token) throw new OperationFailedError('ECR returned no authorization token', 'ECR_LOGIN_FAILED');
    return Buffer.from(token, 'base64').toString('utf8').replace(/^AWS:/, '');
  }

  /** Deletes every image; returns how many (0 when the repository is gone already). */
  async deleteAll(repositoryName: string): Promise<number> {
    let ids: ImageIdentifier[];
    try {
      ids = await allItems(paginateListImages({ client: this.ecr, pageSize: 1000 }, { repositoryName }), (page) =>
        (page.imageIds ?? []).map((i) => ({ imageDigest: i.imageDigest })),
      );
    } catch (e) {
      if (isAwsError(e, 'RepositoryNotFoundException')) return 0;
      throw e;
    }
    const unique = [...new Map(ids.map((i) => [i.imageDigest, i])).values()];
    // BatchDeleteImage takes at most 100 image ids per call.
    for (let i = 0; i < unique.length; i += 100) {
      const out = await this.ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: unique.slice(i, i + 100) }));
      const failed = (out.failures ?? []).filter((f) => f.failureCode !== 'ImageNotFound');
      if (failed.length)
        throw new OperationFailedError(`could not delete ${failed.length} image(s) from ${repositoryName}: ${failed[0]!.failureReason}`, 'ECR_DELETE_FAILED');
    }
    return unique.length;
  }
}

/** The environment's image pointer, read only: an environment that has one is past its first image. */
export class PointerParameter {
  constructor(private readonly ssm: SSMClient) {}

  async digest(name: string): Promise<string | undefined> {
    try {
      const value = (await this.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      return value && isImageDigest(value) ? value : undefined;
    } catch (e) {
      if (isAwsError(e, 'ParameterNotFound')) return undefined;
      throw e;
    }
  }
}

export interface ImageOutcome {
  digest: string;
  pushed: boolean;
  detail: string;
}

export async function ensureImage(step: ImageStep, deps: { images: ImageRepository; pointer: PointerParameter; runner: Runner }): Promise<ImageOutcome> {
  const { images, pointer, runner } = deps;
  if (step.givenDigest) {
    const found = await images.find(step.repositoryName, { imageDigest: step.givenDigest });
    if (!found) throw new NotFoundError(`--image-digest ${step.givenDigest} is not in ECR repository ${step.repositoryName}: push it first`, 'IMAGE_NOT_FOUND');
    return { digest: found, pushed: false, detail: `given ${found}` };
  }
  // An environment that already has a pointer is past its first image: never build another.
  const current = await pointer.digest(step.pointerParameter);
  if (current) return { digest: current, pushed: false, detail: `the environment already serves ${current} (${step.pointerParameter})` };
  const tagged = await images.find(step.repositoryName, { imageTag: step.tag });
  if (tagged) return { digest: tagged, pushed: false, detail: `${step.tag} already pushed: ${tagged}` };

  const password = await images.loginPassword();
  const login = await runner.run(step.build.login, { secret: password });
  if (login.code !== 0) throw new OperationFailedError(`docker login to ${step.repositoryUrl} failed (exit ${login.code})`, 'DOCKER_LOGIN_FAILED');
  fs.rmSync(step.build.metadataFile, { force: true });
  const build = await runner.run(step.build.build);
  if (build.code !== 0)
    throw new OperationFailedError(`docker buildx build failed (exit ${build.code}); run the same command again to resume`, 'IMAGE_BUILD_FAILED');
  let digest: unknown;
  try {
    digest = (JSON.parse(fs.readFileSync(step.build.metadataFile, 'utf8')) as Record<string, unknown>)['containerimage.digest'];
  } catch {
    throw new OperationFailedError(`docker buildx wrote no metadata file ${step.build.metadataFile}`, 'IMAGE_BUILD_FAILED');
  }
  if (typeof digest !== 'string' || !isImageDigest(digest))
    throw new OperationFailedError(`docker buildx reported no image digest (${String(digest)})`, 'IMAGE_BUILD_FAILED');
  const pushed = await images.find(step.repositoryName, { imageDigest: digest });
  if (pushed !== digest) throw new OperationFailedError(`image ${digest} is not in ${step.repositoryName} after the push`, 'IMAGE_PUSH_FAILED');
  return { digest, pushed: true, detail: `built and pushed ${step.tag}: ${digest}` };
}
