/** The Terraform state in the state bucket: where an environment's state lives, and who may read or write it. */
import type { PlatformNames } from '../../src/platform/names';
import type { AwsEnv } from '../lib/aws-env';
import type { Statement } from '../lib/iam';

/** Where this environment's Terraform state lives in the state bucket. */
export function stateKeyPrefix(env: string): string {
  return `abca/${env}/`;
}

/** The state statements: the deployer writes the state, a plan reads it and takes the lock only. */
export function stateStatements(names: PlatformNames, aws: AwsEnv, stateBucket: string, write: 'state' | 'lock-only'): Statement[] {
  const key = `arn:${aws.partition}:s3:::${stateBucket}/${stateKeyPrefix(names.env)}`;
  return [
    {
      Sid: 'StateBucket',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:${aws.partition}:s3:::${stateBucket}`,
      Condition: { StringLike: { 's3:prefix': `${stateKeyPrefix(names.env)}*` } },
    },
    write === 'state'
      ? { Sid: 'StateObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${key}*` }
      : { Sid: 'StateObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: `${key}*` },
    // A plan takes the S3-native lock (use_lockfile): that object only, never the state itself.
    ...(write === 'lock-only' ? [{ Sid: 'PlanLock', Effect: 'Allow' as const, Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${key}*.tflock` }] : []),
  ];
}
