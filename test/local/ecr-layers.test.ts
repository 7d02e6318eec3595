/**
 * The emulator's ECR layer API and PutImage checks against their rules (E1–E5 in
 * src/local/emulator/ecr_layers.py, from the Amazon ECR API Reference), through the real SDK.
 */
import { createHash } from 'node:crypto';
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { awsErrorName } from '../../src/aws/errors';
import { pushLocalImage } from '../../src/local/images';
import { useMoto } from '../support/moto';

const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const REPO = 'layers-repo';

async function errorOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return awsErrorName(e);
  }
}

describe('ECR layer API emulator', () => {
  useMoto();
  const ecr = new ECRClient({});

  beforeAll(async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
  });

  async function upload(data: Buffer, parts: Buffer[] = [data]): Promise<string> {
    const { uploadId, partSize } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    expect(partSize).toBeGreaterThan(0);
    let first = 0;
    for (const part of parts) {
      const out = await ecr.send(
        new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: first, partLastByte: first + part.length - 1, layerPartBlob: part }),
      );
      first += part.length;
      expect(out.lastByteReceived).toBe(first - 1);
    }
    return (await ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId, layerDigests: [sha(data)] }))).layerDigest!;
  }

  it('E1+E2+E3: a blob uploaded in parts is then AVAILABLE with its size; an unknown one is a MissingLayerDigest failure', async () => {
    // Prepare
    const data = Buffer.from('layer one, in three parts');
    const missing = sha('never uploaded');
    // Act
    const digest = await upload(data, [data.subarray(0, 5), data.subarray(5, 11), data.subarray(11)]);
    const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: REPO, layerDigests: [digest, missing] }));
    // Assess
    expect(digest).toBe(sha(data));
    expect(check.layers).toEqual([{ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: data.length }]);
    expect(check.failures).toEqual([expect.objectContaining({ layerDigest: missing, failureCode: 'MissingLayerDigest' })]);
  });

  it('E2: a part out of order is InvalidLayerPartException, an unknown upload UploadNotFoundException', async () => {
    // Prepare
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    const part = Buffer.from('abc');
    // Act + Assess
    expect(
      await errorOf(ecr.send(new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: 5, partLastByte: 7, layerPartBlob: part }))),
    ).toBe('InvalidLayerPartException');
    expect(
      await errorOf(
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName: REPO,
            uploadId: '00000000-0000-0000-0000-000000000000',
            partFirstByte: 0,
            partLastByte: 2,
            layerPartBlob: part,
          }),
        ),
      ),
    ).toBe('UploadNotFoundException');
  });

  it('E3: a wrong digest is InvalidLayerException, no part EmptyUploadException, a held blob LayerAlreadyExistsException', async () => {
    // Prepare
    const data = Buffer.from('held once');
    await upload(data);
    const wrong = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    await ecr.send(
      new UploadLayerPartCommand({ repositoryName: REPO, uploadId: wrong.uploadId, partFirstByte: 0, partLastByte: 2, layerPartBlob: Buffer.from('xyz') }),
    );
    const empty = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    // Act + Assess
    expect(await errorOf(ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId: wrong.uploadId, layerDigests: [sha('abc')] })))).toBe(
      'InvalidLayerException',
    );
    expect(await errorOf(ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId: empty.uploadId, layerDigests: [sha('')] })))).toBe(
      'EmptyUploadException',
    );
    expect(await errorOf(upload(data))).toBe('LayerAlreadyExistsException');
  });

  it('E5: PutImage refuses a manifest whose blobs are missing, and an index whose children are not images', async () => {
    // Prepare
    const manifest = (layer: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: layer },
        layers: [],
      });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 10, digest: sha('no such child') }],
    });
    // Act + Assess
    expect(await errorOf(ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest(sha('not uploaded')), imageTag: 'x' })))).toBe(
      'LayersNotFoundException',
    );
    expect(await errorOf(ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: index, imageTag: 'idx' })))).toBe(
      'ReferencedImagesNotFoundException',
    );
  });

  it('E5: the image digest is the sha256 of the manifest as sent; a different imageDigest is refused', async () => {
    // Prepare
    const digest = await upload(Buffer.from('config for E5'));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 13, digest },
      layers: [],
    });
    // Act
    const put = await ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest, imageTag: 'e5' }));
    // Assess
    expect(put.image!.imageId!.imageDigest).toBe(sha(manifest));
    expect(await errorOf(ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest, imageTag: 'e5b', imageDigest: sha('other') })))).toBe(
      'ImageDigestDoesNotMatchException',
    );
  });

  it('E4: a referenced blob downloads through its URL with its bytes; an unreferenced one is LayerInaccessibleException, an unknown one LayersNotFoundException', async () => {
    // Prepare: the local docker-push stand-in uploads blobs, then the manifest
    const digest = await pushLocalImage(ecr, REPO, 'e4', 'seed-e4');
    const layer = Buffer.from('abca-local-layer:seed-e4');
    const unreferenced = await upload(Buffer.from('uploaded, never referenced'));
    // Act
    const url = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: sha(layer) }));
    const body = Buffer.from(await (await fetch(url.downloadUrl!)).arrayBuffer());
    // Assess
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(body.equals(layer)).toBe(true);
    expect(await errorOf(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: unreferenced })))).toBe('LayerInaccessibleException');
    expect(await errorOf(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: sha('unknown') })))).toBe('LayersNotFoundException');
  });
});
