/**
 * The S3 bucket that holds Terraform state: observed, then created or fixed. Versioning (a bad
 * apply's state can be restored), default encryption (SSE-S3) and public access blocked; the
 * bucket's policy is left to its owner. Locking is S3-native (`use_lockfile` in the backend): no
 * DynamoDB table.
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  PutObjectCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isAwsError } from '../aws/errors';
import { ConflictError } from '../errors';

export interface BucketObservation {
  exists: boolean;
  versioning: boolean;
  encryption: boolean;
  publicAccessBlocked: boolean;
}

// HeadBucket has no error body: a missing or forbidden bucket shows as the HTTP status only.
const status = (e: unknown): number | undefined => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function absentOn<T>(call: () => Promise<T>, absent: [string, ...string[]]): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isAwsError(e, ...absent)) return undefined;
    throw e;
  }
}

/** The state bucket and its objects, over one S3 client. */
export class StateBucket {
  constructor(private readonly s3: S3Client) {}

  async observe(bucket: string): Promise<BucketObservation> {
    const s3 = this.s3;
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (e) {
      if (status(e) === 404 || isAwsError(e, 'NotFound', 'NoSuchBucket')) {
        return { exists: false, versioning: false, encryption: false, publicAccessBlocked: false };
      }
      if (status(e) === 403) {
        throw new ConflictError(
          `S3 bucket ${bucket} exists but this account cannot use it (owned by another account?): choose another --state-bucket`,
          'STATE_BUCKET_FORBIDDEN',
        );
      }
      throw e;
    }
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    const encryption = await absentOn(() => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })), ['ServerSideEncryptionConfigurationNotFoundError']);
    const pab = await absentOn(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), ['NoSuchPublicAccessBlockConfiguration']);
    const c = pab?.PublicAccessBlockConfiguration;
    return {
      exists: true,
      versioning: versioning.Status === 'Enabled',
      encryption: (encryption?.ServerSideEncryptionConfiguration?.Rules ?? []).some((r) => !!r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm),
      publicAccessBlocked: !!(c?.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets),
    };
  }

  /** Creates or completes the bucket. Returns what it changed (empty: nothing to do). */
  async ensure(bucket: string, region: string): Promise<string[]> {
    const s3 = this.s3;
    const seen = await this.observe(bucket);
    const changed: string[] = [];
    if (!seen.exists) {
      // us-east-1 refuses a LocationConstraint naming itself; every other region requires one.
      const config = region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } };
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', ...config }));
      } catch (e) {
        if (isAwsError(e, 'BucketAlreadyExists')) {
          throw new ConflictError(`S3 bucket name ${bucket} is taken (bucket names are global): choose another --state-bucket`, 'STATE_BUCKET_TAKEN');
        }
        if (!isAwsError(e, 'BucketAlreadyOwnedByYou')) throw e;
      }
      changed.push('created');
    }
    if (!seen.versioning) {
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      changed.push('versioning');
    }
    if (!seen.encryption) {
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
        }),
      );
      changed.push('encryption');
    }
    if (!seen.publicAccessBlocked) {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        }),
      );
      changed.push('public access block');
    }
    return changed;
  }

  /** The state object's text, or undefined while there is none (nothing applied yet). */
  async read(bucket: string, key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await out.Body?.transformToString();
    } catch (e) {
      if (isAwsError(e, 'NoSuchKey', 'NoSuchBucket') || status(e) === 404) return undefined;
      throw e;
    }
  }

  /** Uploads a state file as the state object (Terraform's S3 backend stores the same JSON). */
  async write(bucket: string, key: string, body: string): Promise<void> {
    // IfNoneMatch: never overwrite a state someone wrote meanwhile.
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
  }
}
