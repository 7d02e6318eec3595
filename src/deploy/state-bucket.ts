/**
 * The S3 bucket that holds Terraform state: observed, then created or fixed. Versioning (a bad
 * apply's state can be restored), default encryption (SSE-S3), public access blocked, and a bucket
 * policy statement refusing requests without TLS (`aws:SecureTransport` false; added to whatever
 * policy the owner keeps there). Locking is S3-native (`use_lockfile` in the backend): no DynamoDB
 * table.
 *
 * The default bucket name is predictable (`abca-tfstate-<account>-<region>`), so someone else could
 * own a bucket by that name: every call on an existing bucket carries `ExpectedBucketOwner`, and S3
 * answers 403 instead of reading or writing another account's bucket (S3 User Guide, "Verifying
 * bucket ownership with bucket owner condition"). CreateBucket takes no such parameter.
 *
 * Versioning, when first enabled, "may take up to 15 minutes ... to fully propagate"; S3 recommends
 * "waiting 15 minutes after enabling versioning before performing any write operations (PUT or
 * DELETE) on objects in the bucket" (S3 User Guide, "Enabling versioning on buckets"; the
 * PutBucketVersioning API reference says the same). Terraform writes the state right after this
 * step, so the step records when it enabled versioning (bucket tag `abca:versioning-enabled-at`)
 * and the deploy waits out the rest of those 15 minutes, visibly; a run stopped meanwhile resumes
 * and waits only what is left (src/deploy/apply.ts).
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
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
  /** The bucket policy refuses requests without TLS (our statement is in it). */
  tlsOnly: boolean;
}

/** The tag that records when this tool first enabled versioning (ISO time). */
export const VERSIONING_TAG = 'abca:versioning-enabled-at';
/** S3's recommended wait after first enabling versioning, before object writes. */
export const VERSIONING_PROPAGATION_MS = 15 * 60 * 1000;
export const TLS_ONLY_SID = 'AbcaDenyInsecureTransport';

/** Pure: the bucket policy statement that refuses every request made without TLS. */
export function tlsOnlyStatement(bucket: string, partition = 'aws'): Record<string, unknown> {
  return {
    Sid: TLS_ONLY_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** Pure: the policy with our TLS-only statement added (or put back as it should be); the owner's other statements stay. */
export function withTlsOnly(policy: string | undefined, bucket: string, partition = 'aws'): string {
  const doc = policy ? (JSON.parse(policy) as { Version?: string; Statement?: Record<string, unknown>[] | Record<string, unknown> }) : {};
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return JSON.stringify({
    ...doc,
    Version: doc.Version ?? '2012-10-17',
    Statement: [...statements.filter((st) => st.Sid !== TLS_ONLY_SID), tlsOnlyStatement(bucket, partition)],
  });
}

/** Pure: whether a policy holds our TLS-only statement exactly. */
export function hasTlsOnly(policy: string | undefined, bucket: string, partition = 'aws'): boolean {
  if (!policy) return false;
  const doc = JSON.parse(policy) as { Statement?: Record<string, unknown>[] | Record<string, unknown> };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const want = JSON.stringify(tlsOnlyStatement(bucket, partition));
  return statements.some((st) => JSON.stringify(st) === want);
}

/** Pure: how long object writes should still wait after versioning was first enabled at `enabledAt` (0: settled, or not ours to wait for). */
export function versioningWaitMs(enabledAt: string | undefined, now: number): number {
  const at = enabledAt ? Date.parse(enabledAt) : NaN;
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.min(VERSIONING_PROPAGATION_MS, at + VERSIONING_PROPAGATION_MS - now));
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

/** The state bucket and its objects, over one S3 client, for the bucket owner `expectedOwner`. */
export class StateBucket {
  /**
   * @param expectedOwner the account that must own the bucket (the deploying account): sent as
   *   ExpectedBucketOwner on every call to an existing bucket.
   */
  constructor(
    private readonly s3: S3Client,
    private readonly expectedOwner: string,
    private readonly opts: { partition?: string; tlsOnly?: boolean } = {},
  ) {}

  private get partition(): string {
    return this.opts.partition ?? 'aws';
  }

  /**
   * false only when this client reaches S3 over plain HTTP (a loopback emulator): the TLS-only
   * policy would then refuse this tool's own next request (the emulator evaluates it as AWS does).
   */
  get tlsOnly(): boolean {
    return this.opts.tlsOnly ?? true;
  }

  /** The bucket and its expected owner, as every call names them. */
  private at(bucket: string): { Bucket: string; ExpectedBucketOwner: string } {
    return { Bucket: bucket, ExpectedBucketOwner: this.expectedOwner };
  }

  async observe(bucket: string): Promise<BucketObservation> {
    const s3 = this.s3;
    try {
      await s3.send(new HeadBucketCommand(this.at(bucket)));
    } catch (e) {
      if (status(e) === 404 || isAwsError(e, 'NotFound', 'NoSuchBucket')) {
        return { exists: false, versioning: false, encryption: false, publicAccessBlocked: false, tlsOnly: false };
      }
      if (status(e) === 403) {
        throw new ConflictError(
          `S3 bucket ${bucket} exists but is not owned by account ${this.expectedOwner}, or this account cannot use it: choose another --state-bucket`,
          'STATE_BUCKET_FORBIDDEN',
        );
      }
      throw e;
    }
    const versioning = await s3.send(new GetBucketVersioningCommand(this.at(bucket)));
    const encryption = await absentOn(() => s3.send(new GetBucketEncryptionCommand(this.at(bucket))), ['ServerSideEncryptionConfigurationNotFoundError']);
    const pab = await absentOn(() => s3.send(new GetPublicAccessBlockCommand(this.at(bucket))), ['NoSuchPublicAccessBlockConfiguration']);
    const policy = await this.policy(bucket);
    const c = pab?.PublicAccessBlockConfiguration;
    return {
      exists: true,
      versioning: versioning.Status === 'Enabled',
      encryption: (encryption?.ServerSideEncryptionConfiguration?.Rules ?? []).some((r) => !!r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm),
      publicAccessBlocked: !!(c?.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets),
      tlsOnly: !this.tlsOnly || hasTlsOnly(policy, bucket, this.partition),
    };
  }

  private async policy(bucket: string): Promise<string | undefined> {
    return (await absentOn(() => this.s3.send(new GetBucketPolicyCommand(this.at(bucket))), ['NoSuchBucketPolicy']))?.Policy;
  }

  private async tags(bucket: string): Promise<{ Key: string; Value: string }[]> {
    const out = await absentOn(() => this.s3.send(new GetBucketTaggingCommand(this.at(bucket))), ['NoSuchTagSet']);
    return (out?.TagSet ?? []).map((t) => ({ Key: t.Key!, Value: t.Value! }));
  }

  /** Records that the propagation wait is over (the tag then names no time), so no later run waits again. */
  async markVersioningSettled(bucket: string): Promise<void> {
    const tags = (await this.tags(bucket)).filter((t) => t.Key !== VERSIONING_TAG);
    await this.s3.send(new PutBucketTaggingCommand({ ...this.at(bucket), Tagging: { TagSet: [...tags, { Key: VERSIONING_TAG, Value: 'settled' }] } }));
  }

  /** When this tool first enabled versioning on the bucket (the tag), if it did and the wait is not over. */
  async versioningEnabledAt(bucket: string): Promise<string | undefined> {
    return (await this.tags(bucket)).find((t) => t.Key === VERSIONING_TAG)?.Value;
  }

  /** Creates or completes the bucket. Returns what it changed (empty: nothing to do). `now`: when versioning is enabled, recorded in a tag. */
  async ensure(bucket: string, region: string, now = Date.now()): Promise<string[]> {
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
      // The time first, so a run that stops right after enabling still knows how long to wait.
      const tags = (await this.tags(bucket)).filter((t) => t.Key !== VERSIONING_TAG);
      await s3.send(
        new PutBucketTaggingCommand({ ...this.at(bucket), Tagging: { TagSet: [...tags, { Key: VERSIONING_TAG, Value: new Date(now).toISOString() }] } }),
      );
      await s3.send(new PutBucketVersioningCommand({ ...this.at(bucket), VersioningConfiguration: { Status: 'Enabled' } }));
      changed.push('versioning');
    }
    if (!seen.encryption) {
      await s3.send(
        new PutBucketEncryptionCommand({
          ...this.at(bucket),
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
        }),
      );
      changed.push('encryption');
    }
    if (!seen.publicAccessBlocked) {
      await s3.send(
        new PutPublicAccessBlockCommand({
          ...this.at(bucket),
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        }),
      );
      changed.push('public access block');
    }
    if (this.tlsOnly && !seen.tlsOnly) {
      const policy = seen.exists ? await this.policy(bucket) : undefined;
      await s3.send(new PutBucketPolicyCommand({ ...this.at(bucket), Policy: withTlsOnly(policy, bucket, this.partition) }));
      changed.push('TLS-only policy');
    }
    return changed;
  }

  /** The state object's text, or undefined while there is none (nothing applied yet). */
  async read(bucket: string, key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ ...this.at(bucket), Key: key }));
      return await out.Body?.transformToString();
    } catch (e) {
      if (isAwsError(e, 'NoSuchKey', 'NoSuchBucket') || status(e) === 404) return undefined;
      throw e;
    }
  }

  /** Uploads a state file as the state object (Terraform's S3 backend stores the same JSON). */
  async write(bucket: string, key: string, body: string): Promise<void> {
    // IfNoneMatch: never overwrite a state someone wrote meanwhile.
    await this.s3.send(new PutObjectCommand({ ...this.at(bucket), Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
  }
}
