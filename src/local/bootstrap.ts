/**
 * Creates, in the emulator named by AWS_ENDPOINT_URL (loopback only), what the infra stack declares
 * and the scripts/API use — from the same definitions the stack uses. Idempotent: a second run
 * reports no changes.
 */
import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateAgentRuntimeCommand,
  CreateAgentRuntimeEndpointCommand,
  GetAgentRuntimeCommand,
  GetAgentRuntimeEndpointCommand,
  paginateListAgentRuntimes,
  type BedrockAgentCoreControlClient,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  paginateListUserPoolClients,
  paginateListUserPools,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomUUID } from 'node:crypto';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients, ec2Client, stsClient, type AwsClients } from '../aws/clients';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { DEFAULT_GUARDRAILS } from '../platform/guardrails';
import { defaultPromotionPolicy, promotionPolicyParameter } from '../platform/promotion-policy';
import { defaultReleasePolicy, releasePolicyParameter } from '../platform/release-policy';
import { platformNames, type PlatformNames } from '../platform/names';
import { PlatformConfigSchema, type PlatformConfig } from '../platform/platform-config';
import { platformDocument } from '../platform/platform-document';
import {
  CANARY_ENDPOINT,
  containerUri,
  IMAGE_DIGEST_PATTERN,
  LIVE_ENDPOINT,
  runtimeEnvironment,
  RUNTIME_LIFECYCLE,
  RUNTIME_PROTOCOL,
} from '../platform/runtime-spec';
import { TABLE_KEYS, TABLES } from '../platform/tables';
import { pushLocalImage } from './images';
import { ensureLocalNetwork, type LocalNetwork } from './network';
import { assertLoopbackClients, assertLoopbackEndpoint, resolvedEndpoint } from './moto';
import { reapplyPointer } from '../runtime/verbs/reapply';
import { componentSession } from './iam/sessions';

export interface BootstrapOptions {
  env: string;
  /** Where the local API server will listen (goes into the platform document). */
  apiUrl?: string;
  clients?: AwsClients;
  log?: (line: string) => void;
  /** Environments this one accepts promotions from (default: the dev → staging → prod convention). */
  promoteFrom?: string[];
}

export interface BootstrapResult {
  platform: PlatformConfig;
  /** What this run created or changed; empty when everything already existed. */
  changes: string[];
}

export const BOOTSTRAP_IMAGE_TAG = 'bootstrap';

export async function bootstrapLocal(opts: BootstrapOptions): Promise<BootstrapResult> {
  assertLoopbackEndpoint(process.env.AWS_ENDPOINT_URL);
  const names = platformNames(opts.env);
  const clients = opts.clients ?? createClients();
  const region = (await clients.ssm.config.region()) || 'us-east-1';
  const sts = stsClient({ region });
  // The endpoint each client really resolves (per-service variables, config files), not just AWS_ENDPOINT_URL.
  const { doc: _doc, ...services } = clients;
  await assertLoopbackClients({ ...services, sts });
  const log = opts.log ?? (() => {});
  const changes: string[] = [];
  const changed = (what: string) => {
    changes.push(what);
    log(`created ${what}`);
  };

  const account = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '123456789012';
  await ensureTables(clients.ddb, names, changed);
  const repo = await ensureRepository(clients.ecr, names, changed);
  const firstDigest = await pushLocalImage(clients.ecr, names.ecrRepository, BOOTSTRAP_IMAGE_TAG);
  const pointerDigest = await ensurePointer(clients.ssm, names, firstDigest, changed);
  // Real ids from the emulator's EC2, as the stack's VPC gives the runtime (AgentCore checks id patterns).
  const network = await ensureLocalNetwork(ec2Client({ region }), names, changed);
  const runtime = await ensureRuntime(clients.agentcore, names, region, account, `${repo.repositoryUri}`, pointerDigest, network, changed);
  const liveEndpoint = await ensureEndpoint(
    clients.agentcore,
    runtime.id,
    LIVE_ENDPOINT,
    'What tasks invoke; moved by publish only after the smoke check passed',
    changed,
  );
  const canaryEndpoint = await ensureEndpoint(clients.agentcore, runtime.id, CANARY_ENDPOINT, 'Where publish smokes a new version before live moves', changed);
  const auth = await ensureCognito(clients.cognito, names, changed);
  await ensureParameter(clients.ssm, names.parameters.guardrails, JSON.stringify(DEFAULT_GUARDRAILS, null, 2), false, changed);
  // Written once, like the stack does: later edits (no deploy) are kept.
  await ensureParameter(clients.ssm, promotionPolicyParameter(names.env), JSON.stringify(defaultPromotionPolicy(names.env, opts.promoteFrom)), false, changed);
  await ensureParameter(clients.ssm, releasePolicyParameter(names.env), JSON.stringify(defaultReleasePolicy(), null, 2), false, changed);

  const platform = PlatformConfigSchema.parse(
    platformDocument(names, {
      region,
      apiUrl: opts.apiUrl ?? 'http://127.0.0.1:8787',
      userPoolId: auth.userPoolId,
      userPoolClientId: auth.clientId,
      agentRuntimeId: runtime.id,
      agentRuntimeArn: runtime.arn,
      ecrRepositoryUrl: repo.repositoryUri,
      liveEndpointArn: liveEndpoint,
      canaryEndpointArn: canaryEndpoint,
    }),
  );
  await ensureParameter(clients.ssm, names.parameters.platform, JSON.stringify(platform), true, changed);
  // What the stack runs after Terraform's create or update (the image-pointer custom resource):
  // the runtime was created as Terraform creates it, without MMDSv2, and AgentCore invokes no such
  // version, so re-apply brings live and canary onto one that requires it. A no-op on a re-run.
  await declareStackSettings(clients, names.env, opts.promoteFrom ? { promoteFrom: opts.promoteFrom.join(',') } : {});
  // The stack's custom resource runs as its own role (Terraform invokes the Lambda): so does this.
  const reapplied = await reapplyPointer(
    { env: names.env, platform, clients: await imagePointerClients(clients, names.env), actor: 'image-pointer-custom-resource', log: (l) => log(l) },
    { timeoutMs: 120_000, pollIntervalMs: 200, reason: 'bootstrap-local (as the stack after Terraform)' },
  );
  if (reapplied.changed) changed(`runtime version ${reapplied.runtimeVersion} for live and canary (MMDSv2, re-apply)`);
  return { platform, changes };
}

async function ensureTables(ddb: DynamoDBClient, names: PlatformNames, changed: (w: string) => void): Promise<void> {
  for (const key of TABLE_KEYS) {
    const def = TABLES[key];
    const TableName = names.tables[key];
    const exists = await ddb.send(new DescribeTableCommand({ TableName })).then(
      () => true,
      (e) => {
        if (isAwsError(e, 'ResourceNotFoundException')) return false;
        throw e;
      },
    );
    if (!exists) {
      await ddb.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: Object.entries(def.attributes).map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
          KeySchema: [{ AttributeName: def.hashKey, KeyType: 'HASH' }, ...(def.rangeKey ? [{ AttributeName: def.rangeKey, KeyType: 'RANGE' as const }] : [])],
          GlobalSecondaryIndexes: def.indexes.length
            ? def.indexes.map((ix) => ({
                IndexName: ix.name,
                KeySchema: [
                  { AttributeName: ix.hashKey, KeyType: 'HASH' as const },
                  ...(ix.rangeKey ? [{ AttributeName: ix.rangeKey, KeyType: 'RANGE' as const }] : []),
                ],
                Projection: { ProjectionType: 'ALL' as const },
              }))
            : undefined,
          StreamSpecification: def.stream ? { StreamEnabled: true, StreamViewType: def.stream } : undefined,
        }),
      );
      changed(`table ${TableName}`);
    }
    if (def.ttlAttribute) {
      const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName }));
      if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await ddb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: def.ttlAttribute } }));
        if (exists) changed(`TTL on ${TableName}`);
      }
    }
  }
}

async function ensureRepository(ecr: ECRClient, names: PlatformNames, changed: (w: string) => void): Promise<{ repositoryUri: string }> {
  const found = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.ecrRepository] })).catch((e) => {
    if (isAwsError(e, 'RepositoryNotFoundException')) return undefined;
    throw e;
  });
  const existing = found?.repositories?.[0];
  if (existing) return { repositoryUri: existing.repositoryUri! };
  const created = await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: names.ecrRepository,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    }),
  );
  changed(`ECR repository ${names.ecrRepository}`);
  return { repositoryUri: created.repository!.repositoryUri! };
}

async function ensurePointer(ssm: SSMClient, names: PlatformNames, firstDigest: string, changed: (w: string) => void): Promise<string> {
  const name = names.parameters.imagePointer;
  const current = await getParameterValue(ssm, name);
  if (current !== undefined) return current;
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Type: 'String',
      Value: firstDigest,
      AllowedPattern: IMAGE_DIGEST_PATTERN,
      Description: 'bootstrap: first image',
    }),
  );
  changed(`image pointer ${name}`);
  return firstDigest;
}

async function ensureRuntime(
  agentcore: BedrockAgentCoreControlClient,
  names: PlatformNames,
  region: string,
  account: string,
  repositoryUri: string,
  digest: string,
  network: LocalNetwork,
  changed: (w: string) => void,
): Promise<{ id: string; arn: string }> {
  const listed = await allItems(paginateListAgentRuntimes({ client: agentcore }, {}), (page) => page.agentRuntimes);
  const existing = listed.find((r) => r.agentRuntimeName === names.agentRuntime);
  if (existing) return { id: existing.agentRuntimeId!, arn: existing.agentRuntimeArn! };
  const created = await agentcore.send(
    new CreateAgentRuntimeCommand({
      agentRuntimeName: names.agentRuntime,
      agentRuntimeArtifact: { containerConfiguration: { containerUri: containerUri(repositoryUri, digest) } },
      roleArn: `arn:aws:iam::${account}:role/${names.roles.runtimeExecution}`,
      networkConfiguration: { networkMode: 'VPC', networkModeConfig: { subnets: network.subnetIds, securityGroups: [network.securityGroupId] } },
      protocolConfiguration: { serverProtocol: RUNTIME_PROTOCOL },
      lifecycleConfiguration: { ...RUNTIME_LIFECYCLE },
      environmentVariables: runtimeEnvironment(names, region, account),
      description: `ABCA agent runtime (${names.env})`,
    }),
  );
  // moto reports READY at the first read after create.
  await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: created.agentRuntimeId }));
  changed(`AgentCore runtime ${names.agentRuntime}`);
  return { id: created.agentRuntimeId!, arn: created.agentRuntimeArn! };
}

/** A named endpoint on the runtime's current version, as the stack creates it; returns its ARN. */
async function ensureEndpoint(
  agentcore: BedrockAgentCoreControlClient,
  agentRuntimeId: string,
  name: string,
  description: string,
  changed: (w: string) => void,
): Promise<string> {
  const existing = await agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName: name })).catch((e) => {
    if (isAwsError(e, 'ResourceNotFoundException')) return undefined;
    throw e;
  });
  if (existing) return existing.agentRuntimeEndpointArn ?? '';
  const runtime = await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId }));
  const created = await agentcore.send(
    new CreateAgentRuntimeEndpointCommand({
      agentRuntimeId,
      name,
      description,
      agentRuntimeVersion: runtime.agentRuntimeVersion,
      clientToken: `abca-${randomUUID()}`,
    }),
  );
  // Wait until it serves (the emulator may hold CREATING for a while, as AWS does).
  for (let i = 0; i < 600; i++) {
    const ep = await agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId, endpointName: name }));
    if (ep.status === 'READY') break;
    if (ep.status?.endsWith('FAILED')) throw new Error(`endpoint ${name} ended ${ep.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  changed(`AgentCore endpoint ${name}`);
  return created.agentRuntimeEndpointArn ?? '';
}

async function ensureCognito(
  cognito: CognitoIdentityProviderClient,
  names: PlatformNames,
  changed: (w: string) => void,
): Promise<{ userPoolId: string; clientId: string }> {
  const pools = await allItems(paginateListUserPools({ client: cognito, pageSize: 60 }, { MaxResults: 60 }), (page) => page.UserPools);
  let userPoolId = pools.find((p) => p.Name === names.userPool)?.Id;
  if (!userPoolId) {
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: names.userPool,
        // The stack's default tags (infra-stack.ts): the API's RecheckGroups grant is scoped by abca:env.
        UserPoolTags: { 'abca:env': names.env, 'abca:stack': 'infra', 'abca:managed-by': 'cdktf' },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: false } },
      }),
    );
    userPoolId = created.UserPool!.Id!;
    changed(`Cognito user pool ${names.userPool}`);
    for (const GroupName of ['admin', 'operator']) {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
      changed(`Cognito group ${GroupName}`);
    }
  }
  const clients = await allItems(paginateListUserPoolClients({ client: cognito, pageSize: 60 }, { UserPoolId: userPoolId }), (page) => page.UserPoolClients);
  let clientId = clients.find((c) => c.ClientName === names.userPoolClient)?.ClientId;
  if (!clientId) {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: names.userPoolClient,
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    clientId = created.UserPoolClient!.ClientId!;
    changed(`Cognito app client ${names.userPoolClient}`);
  }
  return { userPoolId, clientId };
}

async function getParameterValue(ssm: SSMClient, Name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value;
  } catch (e) {
    if (isAwsError(e, 'ParameterNotFound')) return undefined;
    throw e;
  }
}

/** Writes a parameter when missing, or (overwrite) when its value differs; never a no-op version. */
async function ensureParameter(ssm: SSMClient, Name: string, Value: string, overwrite: boolean, changed: (w: string) => void): Promise<void> {
  const current = await getParameterValue(ssm, Name);
  if (current === Value || (current !== undefined && !overwrite)) return;
  await ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: current !== undefined }));
  changed(`parameter ${Name}`);
}

/**
 * Clients as the image-pointer custom resource's role, assumed with the bootstrap's own credentials
 * through the endpoint its clients use (the IAM enforcement point, when on).
 */
async function imagePointerClients(clients: AwsClients, env: string): Promise<AwsClients> {
  const endpoint = await resolvedEndpoint(clients.ssm);
  const admin = await clients.ssm.config.credentials();
  const region = await clients.ssm.config.region();
  // The role of the account these clients act in (another account's, when a test bootstraps there).
  const who = stsClient({ region, endpoint: endpoint!, credentials: admin });
  const account = (await who.send(new GetCallerIdentityCommand({})).finally(() => who.destroy())).Account;
  const session = await componentSession(endpoint!, env, 'imagePointer', {
    region,
    account,
    // The bootstrap's own credentials, a session's token included (another account's role, in tests).
    credentials: {
      accessKeyId: admin.accessKeyId,
      secretAccessKey: admin.secretAccessKey,
      ...(admin.sessionToken ? { sessionToken: admin.sessionToken } : {}),
    },
  });
  return createClients({ credentials: session, region, endpoint: endpoint! });
}

/**
 * Tells the IAM enforcement point (when the endpoint is one) which settings this environment's
 * stack is deployed with, since its policies depend on them (promoteFrom: which sources the
 * publisher may read). A plain moto answers 404: nothing is enforced there.
 */
async function declareStackSettings(clients: AwsClients, env: string, context: Record<string, unknown>): Promise<void> {
  const endpoint = (await resolvedEndpoint(clients.ssm))!.replace(/\/$/, '');
  const res = await fetch(`${endpoint}/_abca/iam/stack-settings`, { method: 'POST', body: JSON.stringify({ env, context }) });
  if (!res.ok && res.status !== 404) throw new Error(`the IAM enforcement point refused ${env}'s stack settings: HTTP ${res.status} ${await res.text()}`);
}
