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
  ListImagesCommand,
  type ECRClient,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { NotFoundError, OperationFailedError } from '../errors';
import { isImageDigest } from '../platform/runtime-spec';
import type { Command } from './command';
import type { EmptyRepositoryStep, ImageStep } from './plan';
import type { Runner } from './runner';

const errorName = (e: unknown): string => String((e as { name?: string }).name ?? '');

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

async function describe(ecr: ECRClient, repositoryName: string, imageId: ImageIdentifier): Promise<string | undefined> {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
    return out.imageDetails?.[0]?.imageDigest;
  } catch (e) {
    if (errorName(e) === 'ImageNotFoundException') return undefined;
    if (errorName(e) === 'RepositoryNotFoundException') {
      throw new NotFoundError(`ECR repository ${repositoryName} does not exist (the deploy-ecr step creates it)`, 'REPOSITORY_NOT_FOUND');
    }
    throw e;
  }
}

async function pointerDigest(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    return value && isImageDigest(value) ? value : undefined;
  } catch (e) {
    if (errorName(e) === 'ParameterNotFound') return undefined;
    throw e;
  }
}

export interface ImageOutcome {
  digest: string;
  pushed: boolean;
  detail: string;
}

export async function ensureImage(step: ImageStep, deps: { ecr: ECRClient; ssm: SSMClient; runner: Runner }): Promise<ImageOutcome> {
  const { ecr, ssm, runner } = deps;
  if (step.givenDigest) {
    const found = await describe(ecr, step.repositoryName, { imageDigest: step.givenDigest });
    if (!found) throw new NotFoundError(`--image-digest ${step.givenDigest} is not in ECR repository ${step.repositoryName}: push it first`, 'IMAGE_NOT_FOUND');
    return { digest: found, pushed: false, detail: `given ${found}` };
  }
  // An environment that already has a pointer is past its first image: never build another.
  const current = await pointerDigest(ssm, step.pointerParameter);
  if (current) return { digest: current, pushed: false, detail: `the environment already serves ${current} (${step.pointerParameter})` };
  const tagged = await describe(ecr, step.repositoryName, { imageTag: step.tag });
  if (tagged) return { digest: tagged, pushed: false, detail: `${step.tag} already pushed: ${tagged}` };

  const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = auth.authorizationData?.[0]?.authorizationToken;
  if (!token) throw new OperationFailedError('ECR returned no authorization token', 'ECR_LOGIN_FAILED');
  const password = Buffer.from(token, 'base64').toString('utf8').replace(/^AWS:/, '');
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
  const pushed = await describe(ecr, step.repositoryName, { imageDigest: digest });
  if (pushed !== digest) throw new OperationFailedError(`image ${digest} is not in ${step.repositoryName} after the push`, 'IMAGE_PUSH_FAILED');
  return { digest, pushed: true, detail: `built and pushed ${step.tag}: ${digest}` };
}

/** Deletes every image (teardown: Terraform cannot destroy a repository that holds images). */
export async function emptyRepository(step: EmptyRepositoryStep, ecr: ECRClient): Promise<number> {
  const ids: ImageIdentifier[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecr.send(new ListImagesCommand({ repositoryName: step.repositoryName, nextToken, maxResults: 1000 }));
      ids.push(...(page.imageIds ?? []).map((i) => ({ imageDigest: i.imageDigest })));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (e) {
    if (errorName(e) === 'RepositoryNotFoundException') return 0;
    throw e;
  }
  const unique = [...new Map(ids.map((i) => [i.imageDigest, i])).values()];
  // BatchDeleteImage takes at most 100 image ids per call.
  for (let i = 0; i < unique.length; i += 100) {
    const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName: step.repositoryName, imageIds: unique.slice(i, i + 100) }));
    const failed = (out.failures ?? []).filter((f) => f.failureCode !== 'ImageNotFound');
    if (failed.length)
      throw new OperationFailedError(
        `could not delete ${failed.length} image(s) from ${step.repositoryName}: ${failed[0]!.failureReason}`,
        'ECR_DELETE_FAILED',
      );
  }
  return unique.length;
}
