/**
 * The local runtime's network in the emulator's EC2: a VPC, two subnets in different zones and a
 * security group, found by tag first so a second bootstrap creates nothing. Their ids are real EC2
 * ids (`vpc-…`, `subnet-…`, `sg-…` with 8–17 characters), as AgentCore's model requires.
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { OperationFailedError } from '../errors';
import type { PlatformNames } from '../platform/names';

export interface LocalNetwork {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

const VPC_CIDR = '10.80.0.0/16';
const SUBNET_CIDRS = ['10.80.0.0/20', '10.80.16.0/20'];
const ENV_TAG = 'abca:env';

const tags = (names: PlatformNames, name: string): Tag[] => [
  { Key: 'Name', Value: name },
  { Key: ENV_TAG, Value: names.env },
];
const byTag = (names: PlatformNames, name: string) => [
  { Name: 'tag:Name', Values: [name] },
  { Name: `tag:${ENV_TAG}`, Values: [names.env] },
];

export async function ensureLocalNetwork(ec2: EC2Client, names: PlatformNames, changed: (what: string) => void): Promise<LocalNetwork> {
  const vpcName = names.network.vpc;
  let vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: byTag(names, vpcName) }))).Vpcs?.[0]?.VpcId;
  if (!vpcId) {
    const created = await ec2.send(new CreateVpcCommand({ CidrBlock: VPC_CIDR, TagSpecifications: [{ ResourceType: 'vpc', Tags: tags(names, vpcName) }] }));
    vpcId = created.Vpc!.VpcId!;
    changed(`VPC ${vpcName} (${vpcId})`);
  }

  const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }))).AvailabilityZones ?? [];
  if (zones.length < SUBNET_CIDRS.length) {
    throw new OperationFailedError(
      `the emulator's EC2 offers ${zones.length} availability zone(s); the runtime needs ${SUBNET_CIDRS.length}`,
      'LOCAL_NETWORK_FAILED',
    );
  }
  const subnetIds: string[] = [];
  for (const [i, cidr] of SUBNET_CIDRS.entries()) {
    const name = `${vpcName}-runtime-${i + 1}`;
    const found = (await ec2.send(new DescribeSubnetsCommand({ Filters: [...byTag(names, name), { Name: 'vpc-id', Values: [vpcId] }] }))).Subnets?.[0];
    if (found?.SubnetId) {
      subnetIds.push(found.SubnetId);
      continue;
    }
    const created = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: cidr,
        AvailabilityZoneId: zones[i]!.ZoneId,
        TagSpecifications: [{ ResourceType: 'subnet', Tags: tags(names, name) }],
      }),
    );
    subnetIds.push(created.Subnet!.SubnetId!);
    changed(`subnet ${name} (${created.Subnet!.SubnetId}, ${created.Subnet!.AvailabilityZone})`);
  }

  const groupName = names.network.runtimeSecurityGroup;
  let securityGroupId = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [groupName] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    )
  ).SecurityGroups?.[0]?.GroupId;
  if (!securityGroupId) {
    const created = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: groupName,
        Description: `ABCA agent runtime (${names.env})`,
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(names, groupName) }],
      }),
    );
    securityGroupId = created.GroupId!;
    changed(`security group ${groupName} (${securityGroupId})`);
  }
  return { vpcId, subnetIds, securityGroupId };
}
