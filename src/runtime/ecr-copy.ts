/**
 * Copies one image, by digest, from one environment's ECR repository into another's, with the
 * ECR API: the manifest goes across byte for byte (so the digest, the SHA-256 of the manifest, is
 * the same), and only the blobs the target lacks are uploaded.
 *
 * Order, as the ECR API reference documents an image push (API_PutImage: "called once ... when
 * all new image layers have been uploaded"; API_BatchCheckLayerAvailability, API_InitiateLayerUpload,
 * API_UploadLayerPart, API_CompleteLayerUpload): target already has the digest → nothing to do.
 * Else BatchCheckLayerAvailability names the blobs the target lacks (layers are per repository),
 * each is streamed from the source's GetDownloadUrlForLayer into Initiate/UploadLayerPart (in
 * order)/CompleteLayerUpload, and then one PutImage of the unchanged manifest. An image index
 * (multi-platform) copies its child manifests first (PutImage refuses an index whose children are
 * missing: ReferencedImagesNotFoundException). PutImage carries `imageDigest`, so ECR itself
 * refuses a manifest that would not hash to it.
 *
 * The source may be another account and region: its RepositoryRef carries its own client
 * (credentials, region) and registryId.
 */
import { createHash } from 'node:crypto';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { isAwsError } from '../aws/errors';
import { NotFoundError, OperationFailedError, ValidationError } from '../errors';

export interface RepositoryRef {
  ecr: ECRClient;
  repositoryName: string;
  /** Account of the registry; absent = the caller's own. */
  registryId?: string;
}

export interface CopyResult {
  digest: string;
  /** false: the target already had the image. */
  copied: boolean;
  /** Blobs uploaded into the target (config and layers), in order. */
  uploadedBlobs: string[];
  /** Bytes streamed from source to target. */
  bytes: number;
}

/** What ECR serves for a manifest; every type the runtime can run. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType?: string;
  /** Child manifests of an image index / manifest list (copied first). */
  manifests: Descriptor[];
  /** Config and layers: the blobs PutImage needs present in the repository. */
  blobs: Descriptor[];
}

/** Pure: the references of a manifest, as ECR checks them. */
export function parseManifest(raw: string): ParsedManifest {
  let doc: { mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new ValidationError('the source image manifest is not JSON', 'BAD_MANIFEST');
  }
  const valid = (d: Descriptor | undefined): d is Descriptor => !!d && typeof d.digest === 'string' && /^[a-z0-9]+:[a-f0-9]+$/.test(d.digest);
  const manifests = (doc.manifests ?? []).filter(valid);
  // Foreign layers (with urls, e.g. Windows base layers) live outside the registry: never uploaded.
  const blobs = [doc.config, ...(doc.layers ?? [])].filter(valid).filter((d) => !d.urls?.length);
  const seen = new Set<string>();
  return { mediaType: doc.mediaType, manifests, blobs: blobs.filter((b) => !seen.has(b.digest) && !!seen.add(b.digest)) };
}

/** Pure: the blobs BatchCheckLayerAvailability did not report AVAILABLE (missing, archived, unknown). */
export function missingBlobs(
  wanted: readonly string[],
  answer: { layers?: { layerDigest?: string; layerAvailability?: string }[]; failures?: { layerDigest?: string }[] },
): string[] {
  const available = new Set((answer.layers ?? []).filter((l) => l.layerAvailability === 'AVAILABLE').map((l) => l.layerDigest));
  return wanted.filter((d) => !available.has(d));
}

const MAX_PART = 20 * 1024 * 1024; // LayerPartBlob max

/** Pure: the part size uploads use: what InitiateLayerUpload asked for, at most UploadLayerPart's 20 MiB. */
export function partStep(partSize: number | undefined): number {
  return Math.max(1, Math.min(partSize || MAX_PART, MAX_PART));
}

async function getManifest(source: RepositoryRef, digest: string): Promise<{ manifest: string; mediaType?: string }> {
  const out = await source.ecr.send(
    new BatchGetImageCommand({
      registryId: source.registryId,
      repositoryName: source.repositoryName,
      imageIds: [{ imageDigest: digest }],
      acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
    }),
  );
  const image = out.images?.find((i) => i.imageId?.imageDigest === digest) ?? out.images?.[0];
  if (!image?.imageManifest) throw new NotFoundError(`image ${digest} is not in ECR repository ${source.repositoryName}`, 'IMAGE_NOT_FOUND');
  return { manifest: image.imageManifest, mediaType: image.imageManifestMediaType };
}

export async function hasImage(repo: RepositoryRef, digest: string): Promise<boolean> {
  const out = await repo.ecr.send(
    new BatchGetImageCommand({
      registryId: repo.registryId,
      repositoryName: repo.repositoryName,
      imageIds: [{ imageDigest: digest }],
      acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
    }),
  );
  return (out.images ?? []).some((i) => i.imageId?.imageDigest === digest);
}

/** Streams one blob from the source's download URL into an upload in the target, checking its digest. */
async function copyBlob(source: RepositoryRef, target: RepositoryRef, blob: Descriptor): Promise<number> {
  const { downloadUrl } = await source.ecr.send(
    new GetDownloadUrlForLayerCommand({ registryId: source.registryId, repositoryName: source.repositoryName, layerDigest: blob.digest }),
  );
  if (!downloadUrl) throw new OperationFailedError(`ECR gave no download URL for ${blob.digest}`, 'LAYER_DOWNLOAD_FAILED');
  const response = await fetch(downloadUrl);
  if (!response.ok || !response.body)
    throw new OperationFailedError(`downloading ${blob.digest} from ${source.repositoryName}: HTTP ${response.status}`, 'LAYER_DOWNLOAD_FAILED');
  const { uploadId, partSize } = await target.ecr.send(
    new InitiateLayerUploadCommand({ registryId: target.registryId, repositoryName: target.repositoryName }),
  );
  const step = partStep(partSize === undefined ? undefined : Number(partSize));
  const hash = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let sent = 0;
  const flush = async (all: boolean) => {
    while (pendingBytes >= step || (all && pendingBytes > 0)) {
      const joined = Buffer.concat(pending);
      const part = joined.subarray(0, Math.min(step, joined.length));
      pending = [joined.subarray(part.length)];
      pendingBytes = joined.length - part.length;
      await target.ecr.send(
        new UploadLayerPartCommand({
          registryId: target.registryId,
          repositoryName: target.repositoryName,
          uploadId,
          partFirstByte: sent,
          partLastByte: sent + part.length - 1,
          layerPartBlob: part,
        }),
      );
      sent += part.length;
    }
  };
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    pending.push(Buffer.from(chunk));
    pendingBytes += chunk.length;
    await flush(false);
  }
  await flush(true);
  const got = `sha256:${hash.digest('hex')}`;
  if (blob.digest.startsWith('sha256:') && got !== blob.digest) {
    throw new OperationFailedError(`blob ${blob.digest} downloaded from ${source.repositoryName} hashes to ${got}`, 'LAYER_DIGEST_MISMATCH');
  }
  try {
    await target.ecr.send(
      new CompleteLayerUploadCommand({ registryId: target.registryId, repositoryName: target.repositoryName, uploadId, layerDigests: [blob.digest] }),
    );
  } catch (e) {
    // Another copy finished the same blob first: it is there, which is all we need.
    if (!isAwsError(e, 'LayerAlreadyExistsException')) throw e;
  }
  return sent;
}

async function putManifest(target: RepositoryRef, digest: string, manifest: string, mediaType: string | undefined, tag?: string): Promise<void> {
  try {
    const out = await target.ecr.send(
      new PutImageCommand({
        registryId: target.registryId,
        repositoryName: target.repositoryName,
        imageManifest: manifest,
        imageManifestMediaType: mediaType,
        imageDigest: digest,
        imageTag: tag,
      }),
    );
    const got = out.image?.imageId?.imageDigest;
    if (got && got !== digest) throw new OperationFailedError(`ECR stored the manifest as ${got}, not ${digest}`, 'DIGEST_CHANGED');
  } catch (e) {
    // A concurrent copy put it first: it is there, which is all we need.
    if (isAwsError(e, 'ImageAlreadyExistsException')) return;
    if (isAwsError(e, 'LayersNotFoundException', 'ReferencedImagesNotFoundException')) {
      throw new OperationFailedError(`ECR refuses image ${digest} in ${target.repositoryName}: ${(e as Error).message}`, 'IMAGE_COPY_FAILED', undefined, {
        cause: e,
      });
    }
    throw e;
  }
}

/** The blobs of `wanted` the target does not hold (BatchCheckLayerAvailability takes at most 100 a call). */
async function targetLacks(target: RepositoryRef, wanted: readonly string[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let i = 0; i < wanted.length; i += 100) {
    const batch = wanted.slice(i, i + 100);
    const answer = await target.ecr.send(
      new BatchCheckLayerAvailabilityCommand({ registryId: target.registryId, repositoryName: target.repositoryName, layerDigests: batch }),
    );
    for (const d of missingBlobs(batch, answer)) missing.add(d);
  }
  return missing;
}

export interface CopyOptions {
  /**
   * Tag for the copy (the top manifest). Give one: a repository whose lifecycle policy expires
   * untagged images (ours does, after 14 days) would otherwise expire the promoted image.
   */
  tag?: string;
  /**
   * Tag for each child manifest of an index the copy pushes (they go before the index, untagged
   * by default). ECR's lifecycle evaluator spares an image a manifest list references, but only
   * while that list exists; a tag makes the child's retention its own (docs/infra.md).
   * Default, when `tag` is given: childTagOf(tag, child digest).
   */
  childTag?: (digest: string) => string;
  log?: (line: string) => void;
}

/** Pure: the tag a promoted image gets in the target (unique per source and digest; tags are immutable). */
export function promotedTag(sourceEnv: string, digest: string): string {
  return `promoted-${sourceEnv}-${digest.replace(/^sha256:/, '').slice(0, 32)}`;
}

/** Pure: the tag of a child manifest copied under an index tagged `tag` (unique per child; ECR tags are at most 300 characters). */
export function childTagOf(tag: string, digest: string): string {
  return `${tag}.${digest.replace(/^sha256:/, '').slice(0, 16)}`;
}

/** Makes `digest` exist in the target repository with the same digest. Idempotent. */
export async function copyImage(source: RepositoryRef, target: RepositoryRef, digest: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const log = opts.log ?? (() => {});
  if (await hasImage(target, digest)) return { digest, copied: false, uploadedBlobs: [], bytes: 0 };
  const { manifest, mediaType } = await getManifest(source, digest);
  const parsed = parseManifest(manifest);
  const result: CopyResult = { digest, copied: true, uploadedBlobs: [], bytes: 0 };
  for (const child of parsed.manifests) {
    const childTag = opts.childTag ?? (opts.tag === undefined ? undefined : (d: string) => childTagOf(opts.tag!, d));
    const sub = await copyImage(source, target, child.digest, { log, tag: childTag?.(child.digest), childTag });
    result.uploadedBlobs.push(...sub.uploadedBlobs);
    result.bytes += sub.bytes;
  }
  const missing = await targetLacks(
    target,
    parsed.blobs.map((b) => b.digest),
  );
  for (const blob of parsed.blobs.filter((b) => missing.has(b.digest))) {
    log(`copying blob ${blob.digest.slice(0, 19)}… (${blob.size ?? '?'} bytes) ${source.repositoryName} → ${target.repositoryName}`);
    result.bytes += await copyBlob(source, target, blob);
    result.uploadedBlobs.push(blob.digest);
  }
  await putManifest(target, digest, manifest, mediaType ?? parsed.mediaType, opts.tag);
  return result;
}
