/**
 * Local stand-in for `docker push`: uploads the config and layer blobs through ECR's layer API,
 * then registers the manifest, in the order `docker push` uses (the emulator, like ECR, refuses a
 * manifest whose blobs are missing). A seed gives a stable, distinct image per tag.
 */
import { createHash } from 'node:crypto';
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  DescribeImagesCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rethrowUnlessAwsError } from '../aws/errors';

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Uploads one blob unless the repository holds it (one part: local blobs are a few bytes). */
async function pushBlob(ecr: ECRClient, repositoryName: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [digest] }));
  if (check.layers?.some((l) => l.layerDigest === digest && l.layerAvailability === 'AVAILABLE')) return digest;
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: data.length - 1, layerPartBlob: data }));
  try {
    await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }));
  } catch (e) {
    rethrowUnlessAwsError(e, 'LayerAlreadyExistsException'); // a concurrent push finished it first
  }
  return digest;
}

/**
 * `annotations` go into the manifest as OCI annotations do; the local AgentCore data plane reads
 * `org.abca.local.agent-fault` from them (a deliberately bad image, see agentcore-data-plane.ts).
 */
export async function pushLocalImage(ecr: ECRClient, repositoryName: string, tag: string, seed = tag, annotations?: Record<string, string>): Promise<string> {
  const config = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, seed }));
  const layer = Buffer.from(`abca-local-layer:${seed}`);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: await pushBlob(ecr, repositoryName, config) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: await pushBlob(ecr, repositoryName, layer) }],
    ...(annotations ? { annotations } : {}),
  });
  try {
    const out = await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest }));
    return out.image!.imageId!.imageDigest!;
  } catch (e) {
    rethrowUnlessAwsError(e, 'ImageAlreadyExistsException');
    const found = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    return found.imageDetails![0]!.imageDigest!;
  }
}
