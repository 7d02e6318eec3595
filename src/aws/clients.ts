/**
 * SDK clients. Nothing here special-cases local mode: the SDK itself honours AWS_REGION,
 * AWS_PROFILE and AWS_ENDPOINT_URL, so the same code runs against AWS or moto.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export interface ClientOptions {
  region?: string;
  /** Retries for throttling and transient faults (SDK standard retry strategy). */
  maxAttempts?: number;
}

export interface AwsClients {
  ssm: SSMClient;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  ecr: ECRClient;
  agentcore: BedrockAgentCoreControlClient;
  secrets: SecretsManagerClient;
  cognito: CognitoIdentityProviderClient;
}

export function createClients(opts: ClientOptions = {}): AwsClients {
  const base = { region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION, maxAttempts: opts.maxAttempts ?? 6 };
  const ddb = new DynamoDBClient(base);
  return {
    ssm: new SSMClient(base),
    ddb,
    doc: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
    ecr: new ECRClient(base),
    agentcore: new BedrockAgentCoreControlClient(base),
    secrets: new SecretsManagerClient(base),
    cognito: new CognitoIdentityProviderClient(base),
  };
}
