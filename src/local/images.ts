/**
 * Local stand-in for `docker push`: registers an image manifest in the emulator's ECR. moto
 * derives the digest from the layer digests, so a seed gives a stable, distinct image per tag.
 */
import { createHash } from 'node:crypto';
import { DescribeImagesCommand, PutImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { rethrowUnlessAwsError } from '../aws/errors';

/**
 * `annotations` go into the manifest as OCI annotations do; the local AgentCore data plane reads
 * `org.abca.local.agent-fault` from them (a deliberately bad image, see agentcore-data-plane.ts).
 */
export async function pushLocalImage(ecr: ECRClient, repositoryName: string, tag: string, seed = tag, annotations?: Record<string, string>): Promise<string> {
  const layer = `sha256:${createHash('sha256').update(`abca-local-layer:${seed}`).digest('hex')}`;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: layer },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1, digest: layer }],
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
