/**
 * Account, region and partition as Terraform resolves them at plan time (data sources), so the
 * same synthesized stack deploys into whichever account the credentials name.
 */
import type { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';

export interface AwsEnv {
  accountId: string;
  region: string;
  partition: string;
  /** Partition DNS suffix (amazonaws.com, amazonaws.com.cn, ...). */
  dnsSuffix: string;
}

export function awsEnv(scope: Construct): AwsEnv {
  const identity = new DataAwsCallerIdentity(scope, 'caller');
  const region = new DataAwsRegion(scope, 'region');
  const partition = new DataAwsPartition(scope, 'partition');
  return { accountId: identity.accountId, region: region.region, partition: partition.partition, dnsSuffix: partition.dnsSuffix };
}

/**
 * ARNs in this account and partition: `arnIn(aws)('dynamodb', 'table/x')`, with another region
 * (`'*'`, or `''` for global services) as the third argument.
 */
export function arnIn(aws: AwsEnv): (service: string, resource: string, region?: string) => string {
  return (service, resource, region = aws.region) => `arn:${aws.partition}:${service}:${region}:${aws.accountId}:${resource}`;
}
