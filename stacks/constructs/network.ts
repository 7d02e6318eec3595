/**
 * Network: a VPC over two AZs that AgentCore supports (chosen by AZ id), private subnets with
 * egress through one NAT gateway, the runtime's security group (443 out only, per destination),
 * interface endpoints for the AWS services the runtime calls, and S3/DynamoDB gateway endpoints
 * whose policies admit only the buckets and tables the platform uses.
 */
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { ValidationError } from '../../src/errors';
import type { PlatformNames } from '../../src/platform/names';

export const AZ_COUNT = 2;

/**
 * The AZ ids where AgentCore Runtime can place VPC network interfaces, by region. AZ *names*
 * (us-east-1a) map to different zones in each account, so subnets are placed by AZ *id*.
 * Source: "Supported Availability Zones", Configure Amazon Bedrock AgentCore Runtime and tools
 * for VPC, https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/agentcore-vpc.html
 * Override with the `agentCoreAzIds` context or ABCA_AGENTCORE_AZ_IDS (comma-separated), e.g.
 * when AWS adds a zone or a region.
 */
export const AGENTCORE_AZ_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4'],
  'us-east-2': ['use2-az1', 'use2-az2', 'use2-az3'],
  'us-west-2': ['usw2-az1', 'usw2-az2', 'usw2-az3'],
  'ap-south-1': ['aps1-az1', 'aps1-az2', 'aps1-az3'],
  'ap-southeast-1': ['apse1-az1', 'apse1-az2', 'apse1-az3'],
  'ap-southeast-2': ['apse2-az1', 'apse2-az2', 'apse2-az3'],
  'ap-northeast-1': ['apne1-az1', 'apne1-az2', 'apne1-az4'],
  'eu-west-1': ['euw1-az1', 'euw1-az2', 'euw1-az3'],
  'eu-central-1': ['euc1-az1', 'euc1-az2', 'euc1-az3'],
};

const AZ_ID = /^[a-z]{2,5}[0-9]-az[0-9]{1,2}$/;

/** The `agentCoreAzIds` override: at least AZ_COUNT AZ ids; undefined when not set. */
export function parseAzIdsOverride(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ids = (Array.isArray(value) ? value.map(String) : String(value).split(',')).map((s) => s.trim()).filter(Boolean);
  const bad = ids.filter((id) => !AZ_ID.test(id));
  if (bad.length || ids.length < AZ_COUNT || new Set(ids).size !== ids.length) {
    throw new ValidationError(
      `agentCoreAzIds must be ${AZ_COUNT} or more distinct AZ ids such as use1-az1,use1-az2; got "${ids.join(',')}"`,
      'INVALID_CONTEXT',
    );
  }
  return ids;
}

/**
 * What the runtime may reach, by security group rule: HTTPS to the VPC (interface endpoints), to
 * the S3 and DynamoDB prefix lists (gateway endpoints), and, unless `runtimeInternetEgress` is
 * false, to the internet through the NAT gateway, filtered by DNS only (docs/infra.md, "Egress").
 */
export function parseInternetEgress(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ValidationError(`runtimeInternetEgress must be true or false, got "${String(value)}"`, 'INVALID_CONTEXT');
}

/** ECR keeps image layers in this AWS-owned bucket (pulls through the S3 gateway endpoint). */
export function ecrLayerBucket(region: string): string {
  return `prod-${region}-starport-layer-bucket`;
}

/**
 * The S3 gateway endpoint's policy: ECR's layer bucket (read) and buckets of this account, so a
 * compromised agent cannot copy data to (or fetch tools from) any other bucket over the endpoint.
 */
export function s3EndpointPolicy(partition: string, region: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLayers', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:${partition}:s3:::${ecrLayerBucket(region)}/*` },
      {
        Sid: 'OwnAccountBuckets',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': accountId } },
      },
    ],
  });
}

/** The DynamoDB gateway endpoint's policy: this environment's tables only. */
export function dynamodbEndpointPolicy(names: PlatformNames, partition: string, region: string, accountId: string): string {
  const table = `arn:${partition}:dynamodb:${region}:${accountId}:table/${names.prefix}-*`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'EnvironmentTables', Effect: 'Allow', Principal: '*', Action: 'dynamodb:*', Resource: [table, `${table}/*`] }],
  });
}
/** Interface endpoints: image pulls (ECR API + registry), logs, secrets, STS, Bedrock model calls. */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts', 'bedrock-runtime'] as const;
export const GATEWAY_ENDPOINT_SERVICES = ['s3', 'dynamodb'] as const;

export interface NetworkProps {
  names: PlatformNames;
  region: string;
  vpcCidr: string;
}

export class Network extends Construct {
  readonly vpc: Vpc;
  readonly privateSubnetIds: string[];
  readonly runtimeSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { names, region, vpcCidr } = props;
    const identity = new DataAwsCallerIdentity(this, 'caller');
    const partition = new DataAwsPartition(this, 'partition').partition;
    const override = parseAzIdsOverride(this.node.tryGetContext('agentCoreAzIds') ?? process.env.ABCA_AGENTCORE_AZ_IDS);
    // The region may only be known at plan time: the supported list is looked up there.
    const supported = override ?? Fn.lookup(AGENTCORE_AZ_IDS, region, []);
    const azs = new DataAwsAvailabilityZones(this, 'azs', {
      state: 'available',
      filter: [{ name: 'zone-id', values: supported as string[] }],
      lifecycle: {
        postcondition: [
          {
            condition: `\${length(self.zone_ids) >= ${AZ_COUNT}}`,
            errorMessage: `AgentCore supports fewer than ${AZ_COUNT} available AZs of this region in this account; set the agentCoreAzIds context (docs/infra.md)`,
          },
        ],
      },
    });

    this.vpc = new Vpc(this, 'vpc', { cidrBlock: vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: names.network.vpc } });
    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: names.network.vpc } });

    const publicRt = new RouteTable(this, 'public-rt', {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
      tags: { Name: `${names.network.vpc}-public` },
    });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    for (let i = 0; i < AZ_COUNT; i++) {
      // By AZ id: the same physical zone in every account (names are shuffled per account).
      const az = Fn.element(Fn.sort(azs.zoneIds), i);
      // /24 public subnets at the bottom of the /16, /20 private subnets above them.
      const pub = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZoneId: az,
        cidrBlock: Fn.cidrsubnet(vpcCidr, 8, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${names.network.vpc}-public-${i}` },
      });
      new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: pub.id, routeTableId: publicRt.id });
      publicSubnets.push(pub);
      privateSubnets.push(
        new Subnet(this, `private-${i}`, {
          vpcId: this.vpc.id,
          availabilityZoneId: az,
          cidrBlock: Fn.cidrsubnet(vpcCidr, 4, i + 1),
          tags: { Name: `${names.network.vpc}-private-${i}` },
        }),
      );
    }

    // One NAT gateway keeps the bill small; an AZ outage then cuts egress (not the VPC endpoints).
    const natIp = new Eip(this, 'nat-ip', { domain: 'vpc', tags: { Name: `${names.network.vpc}-nat` } });
    const nat = new NatGateway(this, 'nat', {
      allocationId: natIp.allocationId,
      subnetId: publicSubnets[0]!.id,
      tags: { Name: names.network.vpc },
      dependsOn: [igw],
    });
    const privateRt = new RouteTable(this, 'private-rt', {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
      tags: { Name: `${names.network.vpc}-private` },
    });
    privateSubnets.forEach((s, i) => new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: s.id, routeTableId: privateRt.id }));
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    const endpointSg = new SecurityGroup(this, 'endpoint-sg', {
      name: names.network.endpointSecurityGroup,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC',
      vpcId: this.vpc.id,
      ingress: [
        {
          description: 'HTTPS from the VPC',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [vpcCidr],
          ipv6CidrBlocks: [],
          prefixListIds: [],
          securityGroups: [],
          selfAttribute: false,
        },
      ],
      egress: [],
      tags: { Name: names.network.endpointSecurityGroup },
    });

    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `endpoint-${service.replace(/\./g, '-')}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [endpointSg.id],
        tags: { Name: `${names.network.vpc}-${service}` },
      });
    }
    const gatewayPolicies: Record<(typeof GATEWAY_ENDPOINT_SERVICES)[number], string> = {
      s3: s3EndpointPolicy(partition, region, identity.accountId),
      dynamodb: dynamodbEndpointPolicy(names, partition, region, identity.accountId),
    };
    const gateways = GATEWAY_ENDPOINT_SERVICES.map(
      (service) =>
        new VpcEndpoint(this, `endpoint-${service}`, {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Gateway',
          routeTableIds: [privateRt.id],
          policy: gatewayPolicies[service],
          tags: { Name: `${names.network.vpc}-${service}` },
        }),
    );

    const https = {
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      ipv6CidrBlocks: [],
      prefixListIds: [],
      securityGroups: [],
      selfAttribute: false,
      cidrBlocks: [] as string[],
    };
    const internet = parseInternetEgress(this.node.tryGetContext('runtimeInternetEgress') ?? process.env.ABCA_RUNTIME_INTERNET_EGRESS);
    this.runtimeSecurityGroup = new SecurityGroup(this, 'runtime-sg', {
      name: names.network.runtimeSecurityGroup,
      description: internet
        ? 'AgentCore runtime: HTTPS out only (endpoints, S3/DynamoDB, internet via NAT), nothing in'
        : 'AgentCore runtime: HTTPS to AWS endpoints only, nothing in',
      vpcId: this.vpc.id,
      ingress: [],
      egress: [
        { ...https, description: 'HTTPS to the VPC interface endpoints', cidrBlocks: [vpcCidr] },
        { ...https, description: 'HTTPS to S3 and DynamoDB (gateway endpoints)', prefixListIds: gateways.map((g) => g.prefixListId) },
        // DNS Firewall decides which names resolve; an IP literal is not filtered (docs/infra.md).
        ...(internet ? [{ ...https, description: 'HTTPS to the internet via NAT (DNS-filtered)', cidrBlocks: ['0.0.0.0/0'] }] : []),
      ],
      tags: { Name: names.network.runtimeSecurityGroup },
    });
  }
}
