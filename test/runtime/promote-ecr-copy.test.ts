/**
 * The ECR copy, against the emulator's ECR (moto plus src/local/emulator/ecr_layers.py: blobs per
 * repository, the layer upload and download API, PutImage refusing missing blobs and children).
 * A recording middleware only watches the calls; it answers nothing itself. Two faults are injected
 * at the client: a smaller part size in InitiateLayerUpload's answer (ECR chooses it; the copy
 * must follow it) and a download URL serving corrupted bytes.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { childTagOf, copyImage, missingBlobs, parseManifest, partStep, type RepositoryRef } from '../../src/runtime/ecr-copy';
import { useMoto } from '../support/moto';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function image(seed: string, layerBytes: Buffer[]) {
  const config = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', seed }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha(config) },
    layers: layerBytes.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: l.length, digest: sha(l) })),
  });
  return { manifest, blobs: new Map([config, ...layerBytes].map((b) => [sha(b), b])) };
}

/** Watches the calls a client sends; optionally shrinks the part size ECR answers and corrupts downloads. */
class Recorder {
  readonly calls: string[] = [];
  readonly sentManifests: string[] = [];
  /** Digests whose download URL serves these bytes instead (a corrupted source). */
  readonly corrupt = new Map<string, Buffer>();
  server!: Server;
  constructor(readonly partSize?: number) {}

  async start() {
    this.server = createServer((req, res) => {
      const blob = this.corrupt.get(decodeURIComponent((req.url ?? '').slice(1)));
      res.writeHead(blob ? 200 : 404).end(blob);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  client(): ECRClient {
    const ecr = new ECRClient({});
    ecr.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { repositoryName: string; imageManifest?: string; layerDigest?: string };
        this.calls.push(`${context.commandName} ${input.repositoryName}`);
        if (context.commandName === 'PutImageCommand') this.sentManifests.push(input.imageManifest!);
        const out = (await next(args)) as { output: { partSize?: number; downloadUrl?: string } };
        if (context.commandName === 'InitiateLayerUploadCommand' && this.partSize) out.output.partSize = this.partSize;
        if (context.commandName === 'GetDownloadUrlForLayerCommand' && this.corrupt.has(input.layerDigest!)) {
          const { port } = this.server.address() as AddressInfo;
          out.output.downloadUrl = `http://127.0.0.1:${port}/${encodeURIComponent(input.layerDigest!)}`;
        }
        return out as never;
      },
      { step: 'initialize', name: 'recordCalls' },
    );
    return ecr;
  }
}

/** Uploads blobs into a repository through the layer API (what docker push does first). */
async function uploadBlobs(ecr: ECRClient, repositoryName: string, blobs: Iterable<Buffer>): Promise<void> {
  for (const data of blobs) {
    const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [sha(data)] }));
    if (check.layers?.length) continue;
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: data.length - 1, layerPartBlob: data }));
    await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha(data)] }));
  }
}

/** The blobs a repository holds, of those asked about. */
async function heldBlobs(ecr: ECRClient, repositoryName: string, digests: string[]): Promise<string[]> {
  const out = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: digests }));
  return (out.layers ?? []).filter((l) => l.layerAvailability === 'AVAILABLE').map((l) => l.layerDigest!);
}

describe('parseManifest / missingBlobs / partStep (pure)', () => {
  it('lists config and layers once each, skipping foreign layers; an index lists its manifests', () => {
    // Prepare
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const manifest = JSON.stringify({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { digest: d('c') },
      layers: [{ digest: d('1') }, { digest: d('2') }, { digest: d('1') }, { digest: d('3'), urls: ['https://example.invalid/base'] }],
    });
    const index = JSON.stringify({ mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: d('a') }, { digest: d('b') }] });
    // Act + Assess
    expect(parseManifest(manifest).blobs.map((b) => b.digest)).toEqual([d('c'), d('1'), d('2')]);
    expect(parseManifest(index)).toMatchObject({ blobs: [], manifests: [{ digest: d('a') }, { digest: d('b') }] });
    expect(() => parseManifest('nope')).toThrow(expect.objectContaining({ code: 'BAD_MANIFEST' }));
  });

  it('a blob is missing unless reported AVAILABLE (failures, ARCHIVED and silence all count as missing)', () => {
    // Act
    const missing = missingBlobs(['x', 'y', 'z', 'w'], {
      layers: [
        { layerDigest: 'x', layerAvailability: 'AVAILABLE' },
        { layerDigest: 'y', layerAvailability: 'ARCHIVED' },
      ],
      failures: [{ layerDigest: 'z' }],
    });
    // Assess
    expect(missing).toEqual(['y', 'z', 'w']);
  });

  it('uploads in the part size ECR asks for, never above UploadLayerPart’s 20 MiB', () => {
    expect(partStep(5 * 1024 * 1024)).toBe(5 * 1024 * 1024);
    expect(partStep(100 * 1024 * 1024)).toBe(20 * 1024 * 1024);
    expect(partStep(undefined)).toBe(20 * 1024 * 1024);
  });
});

describe('copyImage', () => {
  useMoto();
  const api = new Recorder(7);
  let ecr: ECRClient;
  const ref = (repositoryName: string): RepositoryRef => ({ ecr, repositoryName });

  beforeAll(async () => {
    await api.start();
    ecr = api.client();
    for (const repositoryName of ['copy-src', 'copy-dst', 'copy-plain-src', 'copy-plain-dst']) {
      await ecr.send(new CreateRepositoryCommand({ repositoryName, imageTagMutability: 'IMMUTABLE' }));
    }
  });
  afterAll(() => new Promise((r) => api.server.close(r)));

  async function pushSource(repo: string, seed: string, layers: Buffer[]): Promise<{ digest: string; manifest: string }> {
    const img = image(seed, layers);
    await uploadBlobs(ecr, repo, img.blobs.values());
    const out = await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: img.manifest, imageTag: seed }));
    return { digest: out.image!.imageId!.imageDigest!, manifest: img.manifest };
  }

  it('checks availability, uploads exactly the missing blobs in parts, then puts the unchanged manifest once: same digest', async () => {
    // Prepare: the target already holds one shared base layer
    const base = Buffer.from('shared base layer bytes');
    const app = Buffer.from('the application layer, longer than one part');
    const src = await pushSource('copy-src', 'v1', [base, app]);
    await uploadBlobs(ecr, 'copy-dst', [base]);
    api.calls.length = 0;
    api.sentManifests.length = 0;
    // Act
    const result = await copyImage(ref('copy-src'), ref('copy-dst'), src.digest);
    const calls = [...api.calls];
    // Assess
    const config = parseManifest(src.manifest).blobs[0]!.digest;
    expect(result).toMatchObject({ digest: src.digest, copied: true, uploadedBlobs: [config, sha(app)] });
    expect(await heldBlobs(ecr, 'copy-dst', [sha(app), config])).toEqual([sha(app), config]);
    // The documented order (API_PutImage: "called once ... when all new image layers have been uploaded"):
    // availability first, the blobs, and one PutImage of the manifest byte for byte, last.
    expect(api.sentManifests).toEqual([src.manifest]);
    const dst = calls.filter((c) => c.endsWith(' copy-dst')).map((c) => c.split(' ')[0]);
    expect(dst[1]).toBe('BatchCheckLayerAvailabilityCommand');
    expect(dst.at(-1)).toBe('PutImageCommand');
    expect(dst.lastIndexOf('CompleteLayerUploadCommand')).toBe(dst.length - 2);
    expect(calls.filter((c) => c.startsWith('UploadLayerPart')).length).toBeGreaterThan(2); // 7-byte parts
    expect(calls.some((c) => c.endsWith('copy-src') && /Initiate|Upload|Complete|PutImage/.test(c))).toBe(false); // the source is only read
    const there = await ecr.send(new DescribeImagesCommand({ repositoryName: 'copy-dst', imageIds: [{ imageDigest: src.digest }] }));
    expect(there.imageDetails![0]!.imageDigest).toBe(src.digest);
  });

  it('a second copy does nothing: the target already has the digest', async () => {
    // Prepare
    const src = await pushSource('copy-src', 'v2', [Buffer.from('v2 layer')]);
    await copyImage(ref('copy-src'), ref('copy-dst'), src.digest);
    api.calls.length = 0;
    // Act
    const again = await copyImage(ref('copy-src'), ref('copy-dst'), src.digest);
    // Assess
    expect(again).toEqual({ digest: src.digest, copied: false, uploadedBlobs: [], bytes: 0 });
    expect(api.calls).toEqual(['BatchGetImageCommand copy-dst']);
  });

  it('a blob whose bytes do not match its digest is refused and the image is not put', async () => {
    // Prepare: the source's download URL serves corrupted bytes for its layer
    const layer = Buffer.from('good bytes');
    const src = await pushSource('copy-src', 'v3', [layer]);
    api.corrupt.set(sha(layer), Buffer.from('evil bytes'));
    // Act + Assess
    await expect(copyImage(ref('copy-src'), ref('copy-dst'), src.digest)).rejects.toMatchObject({ code: 'LAYER_DIGEST_MISMATCH' });
    const there = await ecr.send(new DescribeImagesCommand({ repositoryName: 'copy-dst' }));
    expect(there.imageDetails!.map((d) => d.imageDigest)).not.toContain(src.digest);
    api.corrupt.clear();
  });

  it('an image index (multi-platform) copies each child manifest, then the index, all with their digests, every one tagged', async () => {
    // Prepare: two platform images and an index over them, pushed with AWS's digests (SHA-256 of the manifest)
    const children = [image('arm64', [Buffer.from('arm64 layer')]), image('amd64', [Buffer.from('amd64 layer')])];
    const childDigests: string[] = [];
    for (const c of children) {
      await uploadBlobs(ecr, 'copy-src', c.blobs.values());
      const out = await ecr.send(new PutImageCommand({ repositoryName: 'copy-src', imageManifest: c.manifest, imageDigest: sha(c.manifest) }));
      childDigests.push(out.image!.imageId!.imageDigest!);
    }
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: children.map((c, i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: c.manifest.length, digest: childDigests[i] })),
    });
    const digest = (await ecr.send(new PutImageCommand({ repositoryName: 'copy-src', imageManifest: index, imageTag: 'multi', imageDigest: sha(index) })))
      .image!.imageId!.imageDigest!;
    // Act
    const result = await copyImage(ref('copy-src'), ref('copy-dst'), digest, { tag: 'promoted-multi' });
    // Assess
    expect(digest).toBe(sha(index));
    expect(result.copied).toBe(true);
    expect(result.uploadedBlobs).toHaveLength(4); // two configs, two layers
    const there = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'copy-dst', imageIds: [{ imageDigest: digest }, ...childDigests.map((imageDigest) => ({ imageDigest }))] }),
    );
    expect(there.imageDetails!.map((d) => d.imageDigest).sort()).toEqual([digest, ...childDigests].sort());
    expect(there.imageDetails!.find((d) => d.imageDigest === digest)!.imageTags).toEqual(['promoted-multi']);
    // The children carry a tag too: the repository's lifecycle rule expires untagged images only.
    for (const child of childDigests)
      expect(there.imageDetails!.find((d) => d.imageDigest === child)!.imageTags).toEqual([childTagOf('promoted-multi', child)]);
  });

  it('an image not in the source is NOT_FOUND', async () => {
    await expect(copyImage(ref('copy-src'), ref('copy-dst'), `sha256:${'e'.repeat(64)}`)).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND', exitCode: 2 });
  });

  it('when the target already holds every blob, only the manifest goes across, with the same digest', async () => {
    // Prepare
    const plain = new ECRClient({});
    const img = image('plain', [Buffer.from('layer')]);
    await uploadBlobs(plain, 'copy-plain-src', img.blobs.values());
    await uploadBlobs(plain, 'copy-plain-dst', img.blobs.values());
    const put = await plain.send(new PutImageCommand({ repositoryName: 'copy-plain-src', imageManifest: img.manifest, imageTag: 'plain' }));
    const digest = put.image!.imageId!.imageDigest!;
    // Act
    const result = await copyImage({ ecr: plain, repositoryName: 'copy-plain-src' }, { ecr: plain, repositoryName: 'copy-plain-dst' }, digest);
    // Assess
    expect(result).toMatchObject({ copied: true, uploadedBlobs: [] });
    const there = await plain.send(new DescribeImagesCommand({ repositoryName: 'copy-plain-dst' }));
    expect(there.imageDetails!.map((d) => d.imageDigest)).toEqual([digest]);
  });
});
