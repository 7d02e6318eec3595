/**
 * Network: a VPC over two AZs, private subnets with egress through one NAT gateway, the runtime's
 * security group (443 out only), interface endpoints for the AWS services the runtime calls, and
 * S3/DynamoDB gateway endpoints.
 */
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import type { PlatformNames } from '../../src/platform/names';

export const AZ_COUNT = 2;
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
    const azs = new DataAwsAvailabilityZones(this, 'azs', { state: 'available' });

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
      const az = Fn.element(azs.names, i);
      // /24 public subnets at the bottom of the /16, /20 private subnets above them.
      const pub = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(vpcCidr, 8, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${names.network.vpc}-public-${i}` },
      });
      new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: pub.id, routeTableId: publicRt.id });
      publicSubnets.push(pub);
      privateSubnets.push(
        new Subnet(this, `private-${i}`, {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: Fn.cidrsubnet(vpcCidr, 4, i + 1),
          tags: { Name: `${names.network.vpc}-private-${i}` },
        }),
      );
    }

    // One NAT gateway keeps the bill small; an AZ outage then cuts egress (not the VPC endpoints).
    const natIp = new Eip(this, 'nat-ip', { domain: 'vpc', tags: { Name: `${names.network.vpc}-nat` } });
    const nat = new NatGateway(this, 'nat', { allocationId: natIp.allocationId, subnetId: publicSubnets[0]!.id, tags: { Name: names.network.vpc }, dependsOn: [igw] });
    const privateRt = new RouteTable(this, 'private-rt', {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
      tags: { Name: `${names.network.vpc}-private` },
    });
    privateSubnets.forEach((s, i) => new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: s.id, routeTableId: privateRt.id }));
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    this.runtimeSecurityGroup = new SecurityGroup(this, 'runtime-sg', {
      name: names.network.runtimeSecurityGroup,
      description: 'AgentCore runtime: HTTPS out only, nothing in',
      vpcId: this.vpc.id,
      ingress: [],
      egress: [{ description: 'HTTPS', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false }],
      tags: { Name: names.network.runtimeSecurityGroup },
    });

    const endpointSg = new SecurityGroup(this, 'endpoint-sg', {
      name: names.network.endpointSecurityGroup,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC',
      vpcId: this.vpc.id,
      ingress: [{ description: 'HTTPS from the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [vpcCidr], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], selfAttribute: false }],
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
    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `endpoint-${service}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [privateRt.id],
        tags: { Name: `${names.network.vpc}-${service}` },
      });
    }
  }
}
