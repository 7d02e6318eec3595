/**
 * The emulator's contract checker: requests are validated against botocore's service models
 * before moto sees them, and a request AWS would refuse gets AWS's 400 ValidationException.
 */
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import {
  BedrockAgentCoreControlClient,
  CreateAgentRuntimeCommand,
  GetAgentRuntimeCommand,
  type CreateAgentRuntimeCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, GetItemCommand, type GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListFirewallDomainListsCommand, Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient, type ParameterType } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { useMoto } from '../support/moto';

const once = { maxAttempts: 1 };
const refusedNaming = (member: string) => ({
  name: 'ValidationException',
  $metadata: { httpStatusCode: 400 },
  message: expect.stringContaining(`at '${member}' failed to satisfy constraint`),
});

describe('contract checking against botocore service models', () => {
  const moto = useMoto();

  describe('JSON protocol (X-Amz-Target)', () => {
    it('SSM: refuses a value outside the enum, naming the member', async () => {
      const ssm = new SSMClient(once);
      await expect(ssm.send(new PutParameterCommand({ Name: '/c/x', Value: 'v', Type: 'Strin' as ParameterType }))).rejects.toMatchObject(
        refusedNaming('Type'),
      );
      // and the refused request never reached moto
      await expect(ssm.send(new GetParameterCommand({ Name: '/c/x' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    });

    it('SSM: refuses a string longer than the model allows', async () => {
      const ssm = new SSMClient(once);
      await expect(ssm.send(new GetParameterCommand({ Name: `/${'n'.repeat(2048)}` }))).rejects.toMatchObject(refusedNaming('Name'));
    });

    it('DynamoDB: refuses a missing required member', async () => {
      const ddb = new DynamoDBClient(once);
      await expect(ddb.send(new GetItemCommand({ TableName: 'contracts' } as GetItemCommandInput))).rejects.toMatchObject(refusedNaming('Key'));
    });

    it('ECR: refuses a list member failing its pattern', async () => {
      const ecr = new ECRClient(once);
      await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['Not Valid'] }))).rejects.toMatchObject(
        refusedNaming('repositoryNames.1.member'),
      );
    });

    it('Cognito: refuses a number out of range', async () => {
      const cognito = new CognitoIdentityProviderClient(once);
      await expect(cognito.send(new ListUsersCommand({ UserPoolId: 'us-east-1_abcdefghi', Limit: 61 }))).rejects.toMatchObject(refusedNaming('Limit'));
    });

    it('Secrets Manager: refuses a string shorter than the model allows', async () => {
      const secrets = new SecretsManagerClient(once);
      await expect(secrets.send(new GetSecretValueCommand({ SecretId: '' }))).rejects.toMatchObject(refusedNaming('SecretId'));
    });

    it('Route 53 Resolver: refuses a number out of range', async () => {
      const resolver = new Route53ResolverClient(once);
      await expect(resolver.send(new ListFirewallDomainListsCommand({ MaxResults: 0 }))).rejects.toMatchObject(refusedNaming('MaxResults'));
    });

    it('answers as AWS does: 400, x-amzn-ErrorType and a JSON body with __type and message', async () => {
      // Act: an unknown member, which the SDK would never send
      const res = await signedFetch(moto.endpoint(), 'ssm', 'POST', '/', {
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
        body: JSON.stringify({ Name: '/c/x', Nmae: 'typo' }),
      });
      // Assess
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
      const body = (await res.json()) as { __type: string; message: string };
      expect(body.__type).toBe('ValidationException');
      expect(body.message).toContain("at 'Nmae'");
    });
  });

  describe('REST-JSON protocol (method + requestUri)', () => {
    const runtime = (extra: Partial<CreateAgentRuntimeCommandInput> = {}): CreateAgentRuntimeCommandInput => ({
      agentRuntimeName: 'contracts_rt',
      agentRuntimeArtifact: { containerConfiguration: { containerUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/abca-agent@sha256:${'a'.repeat(64)}` } },
      roleArn: 'arn:aws:iam::123456789012:role/abca-runtime',
      networkConfiguration: { networkMode: 'VPC', networkModeConfig: { securityGroups: ['sg-0123456789abcdef0'], subnets: ['subnet-0123456789abcdef0'] } },
      ...extra,
    });

    it('AgentCore control: refuses an invented security group id (body member pattern)', async () => {
      const agentcore = new BedrockAgentCoreControlClient(once);
      const input = runtime({
        networkConfiguration: { networkMode: 'VPC', networkModeConfig: { securityGroups: ['sg-0local'], subnets: ['subnet-0123456789abcdef0'] } },
      });
      await expect(agentcore.send(new CreateAgentRuntimeCommand(input))).rejects.toMatchObject({
        ...refusedNaming('networkConfiguration.networkModeConfig.securityGroups.1.member'),
        reason: 'FieldValidationFailed',
      });
    });

    it('AgentCore control: refuses a bad path member and a bad query member', async () => {
      const agentcore = new BedrockAgentCoreControlClient(once);
      await expect(agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'not-an-id' }))).rejects.toMatchObject(refusedNaming('agentRuntimeId'));
      await expect(agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'abca_rt-abcdefghij', agentRuntimeVersion: 'v2' }))).rejects.toMatchObject(
        refusedNaming('agentRuntimeVersion'),
      );
    });

    it('AgentCore control: refuses a clientToken shorter than 33 characters', async () => {
      const agentcore = new BedrockAgentCoreControlClient(once);
      await expect(agentcore.send(new CreateAgentRuntimeCommand(runtime({ clientToken: 'reapply-12' })))).rejects.toMatchObject(refusedNaming('clientToken'));
    });

    it('AgentCore control: accepts a valid request, with the token the SDK fills in', async () => {
      const agentcore = new BedrockAgentCoreControlClient(once);
      const created = await agentcore.send(new CreateAgentRuntimeCommand(runtime()));
      expect(created.agentRuntimeVersion).toBe('1');
    });

    it('AgentCore data plane: refuses a header member out of range', async () => {
      const dataPlane = new BedrockAgentCoreClient(once);
      const invoke = new InvokeAgentRuntimeCommand({
        agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/abca_rt-abcdefghij',
        runtimeSessionId: 'short',
        payload: new TextEncoder().encode('{}'),
      });
      await expect(dataPlane.send(invoke)).rejects.toMatchObject(refusedNaming('runtimeSessionId'));
    });

    it('Lambda: refuses a function name that does not match the whole pattern', async () => {
      const lambda = new LambdaClient(once);
      await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'my function' }))).rejects.toMatchObject(refusedNaming('FunctionName'));
    });
  });

  it('passes services it does not cover through unchanged (EC2 query protocol)', async () => {
    const ec2 = new EC2Client(once);
    const out = await ec2.send(new DescribeVpcsCommand({}));
    expect(Array.isArray(out.Vpcs)).toBe(true);
  });

  it('accepts every request the local bootstrap makes (SSM, DynamoDB, ECR, Cognito, EC2, AgentCore)', async () => {
    // Prepare
    const stats = async () => (await (await fetch(`${moto.endpoint()}/_abca/contracts/stats`)).json()) as { checked: number; refused: number };
    const before = await stats();
    // Act
    await bootstrapLocal({ env: 'contracts', clients: createClients() });
    // Assess
    const after = await stats();
    expect(after.refused - before.refused).toBe(0);
    expect(after.checked - before.checked).toBeGreaterThan(20);
  });

  it('counts what it checked and refused', async () => {
    const stats = (await (await fetch(`${moto.endpoint()}/_abca/contracts/stats`)).json()) as { checked: number; refused: number };
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.checked).toBeGreaterThan(0);
  });
});

/** A raw SigV4-signed request, for what the SDK never sends (unknown members). */
async function signedFetch(
  endpoint: string,
  service: string,
  method: string,
  path: string,
  init: { headers: Record<string, string>; body: string },
): Promise<Response> {
  const url = new URL(path, endpoint);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, sha256: Sha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { ...init.headers, host: url.host },
    body: init.body,
  });
  return fetch(url, { method, headers: signed.headers, body: init.body });
}
