/**
 * SDK clients: the one place the project builds them. Nothing here special-cases local mode: the
 * SDK itself honours AWS_REGION, AWS_PROFILE and AWS_ENDPOINT_URL(_<SERVICE>), so the same code runs
 * against AWS or moto. Code that calls AWS takes the client of its service injected (one client per
 * service, as Powertools' providers do) and never builds its own.
 *
 * One factory per service, so a bundle (Lambda, CLI) pulls in only the SDK packages it uses
 * (the client packages declare `sideEffects: false`).
 */
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';

// Under Node < 22 the SDK prints a NodeVersionSupportWarning on the first client of every process
// (its releases after January 2027 need Node 22). Our commands print only what they mean to: the
// supported versions are declared in package.json engines and CI (Node 20 and 22), and
// `bgagent doctor` reports the Node in use. An operator who sets the variable keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Static credentials or a provider, as every SDK client takes them. */
export type Credentials = NonNullable<SSMClientConfig['credentials']>;

export interface ClientOptions {
  region?: string;
  /** Retries for throttling and transient faults (SDK standard retry strategy). */
  maxAttempts?: number;
  /** Only where a caller must name an endpoint that is not the standard environment's (the local data plane's own control-plane reads). */
  endpoint?: string;
  /**
   * Credentials other than the standard chain's: local mode and tests inject them, so a component
   * runs as its own role's session there; cross-account promotion reads its source with the
   * source's (an assumed role). On AWS the chain (the Lambda's role, CI's environment) is the path.
   */
  credentials?: Credentials;
  /** A named profile instead of the chain's default (cross-account promotion's `--source-profile`). */
  profile?: string;
}

/** The clients most components use, built together. Anything else comes from the factories below. */
export interface AwsClients {
  ssm: SSMClient;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  ecr: ECRClient;
  agentcore: BedrockAgentCoreControlClient;
  secrets: SecretsManagerClient;
  cognito: CognitoIdentityProviderClient;
}

/** The SDK configuration every client shares: region from the option or the standard environment, standard retries. */
export function clientConfig(
  opts: ClientOptions = {},
  defaultAttempts = 6,
): { region?: string; maxAttempts: number; endpoint?: string; profile?: string; credentials?: Credentials } {
  return {
    region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    maxAttempts: opts.maxAttempts ?? defaultAttempts,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
}

export function createClients(opts: ClientOptions = {}): AwsClients {
  const ddb = dynamoDbClient(opts);
  return {
    ssm: ssmClient(opts),
    ddb,
    doc: documentClient(ddb),
    ecr: ecrClient(opts),
    agentcore: agentCoreControlClient(opts),
    secrets: secretsClient(opts),
    cognito: cognitoClient(opts),
  };
}

export const ssmClient = (opts: ClientOptions = {}) => new SSMClient(clientConfig(opts));
export const dynamoDbClient = (opts: ClientOptions = {}) => new DynamoDBClient(clientConfig(opts));
/** The document client over a DynamoDB client: undefined attributes are dropped, never written. */
export const documentClient = (ddb: DynamoDBClient) => DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
export const ecrClient = (opts: ClientOptions = {}) => new ECRClient(clientConfig(opts));
export const agentCoreControlClient = (opts: ClientOptions = {}) => new BedrockAgentCoreControlClient(clientConfig(opts));
export const secretsClient = (opts: ClientOptions = {}) => new SecretsManagerClient(clientConfig(opts));
export const cognitoClient = (opts: ClientOptions = {}) => new CognitoIdentityProviderClient(clientConfig(opts));
export const stsClient = (opts: ClientOptions = {}) => new STSClient(clientConfig(opts));
export const s3Client = (opts: ClientOptions = {}) => new S3Client(clientConfig(opts));
export const lambdaClient = (opts: ClientOptions = {}) => new LambdaClient(clientConfig(opts));
export const route53ResolverClient = (opts: ClientOptions = {}) => new Route53ResolverClient(clientConfig(opts));
export const ec2Client = (opts: ClientOptions = {}) => new EC2Client(clientConfig(opts));
export const iamClient = (opts: ClientOptions = {}) => new IAMClient(clientConfig(opts));

/**
 * The AgentCore data-plane client: one attempt, and calls that give up after `timeoutMs`, because
 * a retried InvokeAgentRuntime could outlast the caller's budget. (The SDK's requestTimeout only
 * warns unless throwOnRequestTimeout.)
 */
export function agentCoreDataClient(timeoutMs: number, opts: ClientOptions = {}): BedrockAgentCoreClient {
  return new BedrockAgentCoreClient({
    ...clientConfig(opts, 1),
    requestHandler: { requestTimeout: timeoutMs, throwOnRequestTimeout: true, connectionTimeout: Math.min(timeoutMs, 3000) },
  });
}
