import { GetParameterHistoryCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListGroupsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { platformNames } from '../../src/platform/names';
import { parsePlatformConfig } from '../../src/platform/platform-config';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { TABLES, TABLE_KEYS } from '../../src/platform/tables';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';

describe('bootstrap-local', () => {
  useMoto();
  const clients = createClients();
  const names = platformNames('dev');

  it('creates the platform the stack declares, from the shared definitions', async () => {
    // Act
    const { platform, changes } = await bootstrapLocal({ env: 'dev', clients });

    // Assess: tables with the shared key schema
    for (const key of TABLE_KEYS) {
      const t = await clients.ddb.send(new DescribeTableCommand({ TableName: names.tables[key] }));
      expect(t.Table?.KeySchema?.[0]).toEqual({ AttributeName: TABLES[key].hashKey, KeyType: 'HASH' });
      expect(changes).toContain(`table ${names.tables[key]}`);
    }
    // the pointer holds the first image, which exists in ECR, and the runtime runs it by digest
    const pointer = (await clients.ssm.send(new GetParameterCommand({ Name: names.parameters.imagePointer }))).Parameter!.Value!;
    expect(pointer).toMatch(/^sha256:[a-f0-9]{64}$/);
    const images = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: names.ecrRepository, imageIds: [{ imageDigest: pointer }] }));
    expect(images.imageDetails).toHaveLength(1);
    const runtime = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    expect(runtime.agentRuntimeArtifact?.containerConfiguration?.containerUri).toBe(`${platform.ecrRepositoryUrl}@${pointer}`);
    expect(runtime.status).toBe('READY');
    expect(runtime.environmentVariables).toMatchObject({ TASKS_TABLE: names.tables.tasks, ABCA_ENV: 'dev' });
    // discovery and guardrails parameters
    const stored = await clients.ssm.send(new GetParameterCommand({ Name: names.parameters.platform }));
    expect(parsePlatformConfig(stored.Parameter!.Value!, 'platform')).toEqual(platform);
    const guardrails = await clients.ssm.send(new GetParameterCommand({ Name: names.parameters.guardrails }));
    expect(JSON.parse(guardrails.Parameter!.Value!)).toEqual(DEFAULT_GUARDRAILS);
    // Cognito groups
    const groups = await clients.cognito.send(new ListGroupsCommand({ UserPoolId: platform.userPoolId }));
    expect(groups.Groups?.map((g) => g.GroupName).sort()).toEqual(['admin', 'operator']);
  });

  it('gives the runtime a network of real EC2 ids: two subnets in different zones and a security group of one VPC', async () => {
    // Prepare
    const ec2 = new EC2Client({});
    const platform = parsePlatformConfig((await clients.ssm.send(new GetParameterCommand({ Name: names.parameters.platform }))).Parameter!.Value!, 'platform');
    // Act
    const runtime = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: platform.agentRuntimeId }));
    // Assess: the ids match EC2's real formats (the patterns AgentCore's model checks) and exist
    const { subnets = [], securityGroups = [] } = runtime.networkConfiguration?.networkModeConfig ?? {};
    expect(subnets).toHaveLength(2);
    for (const id of subnets) expect(id).toMatch(/^subnet-[0-9a-f]{8,17}$/);
    expect(securityGroups).toHaveLength(1);
    expect(securityGroups[0]).toMatch(/^sg-[0-9a-f]{8,17}$/);
    const found = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnets }));
    expect(new Set(found.Subnets?.map((s) => s.AvailabilityZoneId)).size).toBe(2);
    const vpcs = new Set(found.Subnets?.map((s) => s.VpcId));
    expect(vpcs.size).toBe(1);
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: securityGroups }));
    expect(groups.SecurityGroups?.[0]?.VpcId).toBe([...vpcs][0]);
  });

  it('changes nothing on a second run', async () => {
    // Prepare
    const before = await clients.ssm.send(new GetParameterHistoryCommand({ Name: names.parameters.platform }));
    // Act
    const { changes } = await bootstrapLocal({ env: 'dev', clients });
    // Assess
    expect(changes).toEqual([]);
    const after = await clients.ssm.send(new GetParameterHistoryCommand({ Name: names.parameters.platform }));
    expect(after.Parameters).toHaveLength(before.Parameters!.length);
    const pointerHistory = await clients.ssm.send(new GetParameterHistoryCommand({ Name: names.parameters.imagePointer }));
    expect(pointerHistory.Parameters).toHaveLength(1);
  });

  it('refuses an endpoint that is not loopback, before writing anything', async () => {
    // Prepare
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'https://ssm.us-east-1.amazonaws.com';
    try {
      // Act + Assess
      await expect(bootstrapLocal({ env: 'other', clients })).rejects.toMatchObject({ code: 'NOT_LOOPBACK' });
    } finally {
      process.env.AWS_ENDPOINT_URL = saved;
    }
    await expect(clients.ssm.send(new GetParameterCommand({ Name: platformNames('other').parameters.platform }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });

  it('runs as a script and prints the platform JSON', async () => {
    // Act
    const { code, stdout } = await runTsx('scripts/bootstrap-local.ts', ['--env', 'script', '--quiet']);
    // Assess
    expect(code).toBe(0);
    const platform = parsePlatformConfig(stdout, 'stdout');
    expect(platform.env).toBe('script');
    expect(platform.tables.repos).toBe('abca-script-repos');
  });

  it('exits 2 with one clear line on a bad env name', async () => {
    // Act
    const failed = await runTsx('scripts/bootstrap-local.ts', ['--env', 'Bad_Env']);
    // Assess
    expect(failed.code).toBe(2);
    expect(failed.stderr.trim()).toMatch(/^error: INVALID_ENV: invalid environment name "Bad_Env"/);
  });
});
