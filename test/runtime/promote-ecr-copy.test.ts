/**
 * The ECR copy. moto serves repositories, BatchGetImage and PutImage, but not the layer API
 * (BatchCheckLayerAvailability, GetDownloadUrlForLayer, Initiate/UploadLayerPart/CompleteLayerUpload
 * raise NotImplementedError in moto 5.2) and its PutImage never checks that blobs exist. So the
 * manifest path runs against moto as is, and the layer path runs against moto plus SDK middleware
 * that answers the layer calls the way the ECR API reference says AWS does (blobs per repository,
 * PutImage refusing missing ones with LayersNotFoundException, parts in order, digest checked on
 * completion), with a loopback HTTP server standing in for the pre-signed layer download URL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  LayersNotFoundException,
  PutImageCommand,
  ReferencedImagesNotFoundException,
} from '@aws-sdk/client-ecr';
import { copyImage, missingBlobs, parseManifest, partStep, type RepositoryRef } from '../../src/runtime/ecr-copy';
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

interface LayerInput {
  repositoryName: string;
  imageManifest: string;
  imageDigest?: string;
  layerDigests: string[];
  layerDigest: string;
  uploadId: string;
  partFirstByte: number;
  partLastByte: number;
  layerPartBlob: Uint8Array;
}

/** What AWS does with blobs that moto does not: per-repository stores, uploads, checks. */
class LayerApi {
  readonly stores = new Map<string, Map<string, Buffer>>();
  readonly uploads = new Map<string, { repo: string; parts: Buffer[]; next: number }>();
  readonly calls: string[] = [];
  readonly sentManifests: string[] = [];
  /** Manifests each repository holds (ECR refuses an index whose children are missing). */
  readonly images = new Map<string, Set<string>>();
  server!: Server;
  constructor(readonly partSize: number) {}

  store(repo: string) {
    if (!this.stores.has(repo)) this.stores.set(repo, new Map());
    return this.stores.get(repo)!;
  }

  async start() {
    this.server = createServer((req, res) => {
      const [, repo, digest] = decodeURIComponent(req.url ?? '').split('/');
      const blob = this.store(repo!).get(digest!);
      res.writeHead(blob ? 200 : 404).end(blob);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  client(): ECRClient {
    const ecr = new ECRClient({});
    ecr.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as LayerInput;
        const repo = input.repositoryName;
        const answer = (output: object) => ({ output: { $metadata: {}, ...output }, response: {} }) as never;
        this.calls.push(`${context.commandName} ${repo}`);
        switch (context.commandName) {
          case 'PutImageCommand': {
            this.sentManifests.push(input.imageManifest);
            const parsed = parseManifest(input.imageManifest);
            const missing = parsed.blobs.filter((b) => !this.store(repo).has(b.digest));
            if (missing.length) throw new LayersNotFoundException({ message: `layers not found: ${missing.map((m) => m.digest).join(',')}`, $metadata: {} });
            const children = parsed.manifests.filter((m) => !this.images.get(repo)?.has(m.digest));
            if (children.length)
              throw new ReferencedImagesNotFoundException({
                message: `referenced images not found: ${children.map((m) => m.digest).join(',')}`,
                $metadata: {},
              });
            const out = await next(args);
            if (!this.images.has(repo)) this.images.set(repo, new Set());
            this.images.get(repo)!.add(String((args.input as { imageDigest?: string }).imageDigest ?? sha(input.imageManifest)));
            return out;
          }
          case 'BatchCheckLayerAvailabilityCommand':
            return answer({
              layers: input.layerDigests
                .filter((d) => this.store(repo).has(d))
                .map((d) => ({ layerDigest: d, layerAvailability: 'AVAILABLE', layerSize: this.store(repo).get(d)!.length })),
              failures: input.layerDigests
                .filter((d) => !this.store(repo).has(d))
                .map((d) => ({ layerDigest: d, failureCode: 'MissingLayerDigest', failureReason: 'not found' })),
            });
          case 'GetDownloadUrlForLayerCommand': {
            const { port } = this.server.address() as AddressInfo;
            return answer({
              layerDigest: input.layerDigest,
              downloadUrl: `http://127.0.0.1:${port}/${encodeURIComponent(repo)}/${encodeURIComponent(input.layerDigest)}`,
            });
          }
          case 'InitiateLayerUploadCommand': {
            const uploadId = randomUUID();
            this.uploads.set(uploadId, { repo, parts: [], next: 0 });
            return answer({ uploadId, partSize: this.partSize });
          }
          case 'UploadLayerPartCommand': {
            const u = this.uploads.get(input.uploadId)!;
            const part = Buffer.from(input.layerPartBlob);
            // AWS: parts arrive in order, each range exactly its bytes.
            if (input.partFirstByte !== u.next || input.partLastByte !== u.next + part.length - 1)
              throw new Error(`out of order part ${input.partFirstByte}-${input.partLastByte}`);
            u.parts.push(part);
            u.next += part.length;
            return answer({ uploadId: input.uploadId, lastByteReceived: u.next - 1 });
          }
          case 'CompleteLayerUploadCommand': {
            const u = this.uploads.get(input.uploadId)!;
            const bytes = Buffer.concat(u.parts);
            if (sha(bytes) !== input.layerDigests[0]) throw new Error('InvalidLayerException: digest mismatch');
            this.store(u.repo).set(input.layerDigests[0], bytes);
            return answer({ uploadId: input.uploadId, layerDigest: input.layerDigests[0] });
          }
          default:
            return next(args);
        }
      },
      { step: 'initialize', name: 'awsLayerSemantics' },
    );
    return ecr;
  }
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
  const api = new LayerApi(7);
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
    for (const [digest, bytes] of img.blobs) api.store(repo).set(digest, bytes);
    const out = await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: img.manifest, imageTag: seed }));
    return { digest: out.image!.imageId!.imageDigest!, manifest: img.manifest };
  }

  it('uploads exactly the missing blobs, in parts, then the unchanged manifest: the target has the same digest', async () => {
    // Prepare: the target already holds one shared base layer
    const base = Buffer.from('shared base layer bytes');
    const app = Buffer.from('the application layer, longer than one part');
    const src = await pushSource('copy-src', 'v1', [base, app]);
    api.store('copy-dst').set(sha(base), base);
    api.calls.length = 0;
    api.sentManifests.length = 0;
    // Act
    const result = await copyImage(ref('copy-src'), ref('copy-dst'), src.digest);
    // Assess
    const config = parseManifest(src.manifest).blobs[0]!.digest;
    expect(result).toMatchObject({ digest: src.digest, copied: true, uploadedBlobs: [config, sha(app)] });
    expect(api.store('copy-dst').get(sha(app))).toEqual(app);
    expect(api.sentManifests).toEqual([src.manifest, src.manifest]); // byte for byte, first refused, then accepted
    expect(api.calls.filter((c) => c.startsWith('UploadLayerPart')).length).toBeGreaterThan(2); // 7-byte parts
    expect(api.calls.some((c) => c.endsWith('copy-src') && /Initiate|Upload|Complete|PutImage/.test(c))).toBe(false); // the source is only read
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
    // Prepare: the source serves corrupted bytes for its layer
    const layer = Buffer.from('good bytes');
    const src = await pushSource('copy-src', 'v3', [layer]);
    api.store('copy-src').set(sha(layer), Buffer.from('evil bytes'));
    // Act + Assess
    await expect(copyImage(ref('copy-src'), ref('copy-dst'), src.digest)).rejects.toMatchObject({ code: 'LAYER_DIGEST_MISMATCH' });
    const there = await ecr.send(new DescribeImagesCommand({ repositoryName: 'copy-dst' }));
    expect(there.imageDetails!.map((d) => d.imageDigest)).not.toContain(src.digest);
  });

  it('an image index (multi-platform) copies each child manifest, then the index, all with their digests', async () => {
    // Prepare: two platform images and an index over them, pushed with AWS's digests (SHA-256 of the manifest)
    const children = [image('arm64', [Buffer.from('arm64 layer')]), image('amd64', [Buffer.from('amd64 layer')])];
    const childDigests: string[] = [];
    for (const c of children) {
      for (const [digest, bytes] of c.blobs) api.store('copy-src').set(digest, bytes);
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
  });

  it('an image not in the source is NOT_FOUND', async () => {
    await expect(copyImage(ref('copy-src'), ref('copy-dst'), `sha256:${'e'.repeat(64)}`)).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND', exitCode: 2 });
  });

  it('against moto alone (no layer semantics) the manifest copy keeps the digest', async () => {
    // Prepare
    const plain = new ECRClient({});
    const img = image('plain', [Buffer.from('layer')]);
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
