/**
 * The image-pointer custom resource as its own role (abca-dev-image-pointer-fn), with IAM enforced
 * against the stack's synthesized policies: its re-apply ends with LabelParameterVersion, so the
 * role needs that grant or every infra apply that changes the runtime's configuration fails on AWS.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { handler } from '../../src/handlers/image-pointer';
import { bootstrapLocal } from '../../src/local/bootstrap';
import {
  assumeRoleSession,
  Authorizer,
  compilePolicies,
  credentialEnv,
  localRefs,
  startIamProxy,
  type CompiledPolicies,
  type IamProxy,
} from '../../src/local/iam';
import { pushLocalImage } from '../../src/local/images';
import { startMoto, type MotoServer } from '../../src/local/moto';
import { platformNames } from '../../src/platform/names';
import { openRuntime, runtimeStatus, type RuntimeContext } from '../../src/runtime';
import { synthInfraJson, testBundles } from '../infra/support';
import { invocation } from './support';
import { recordUsedGrants } from '../support/iam';

const ENV = 'dev';
const names = platformNames(ENV);
const ADMIN = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const roleArn = `arn:aws:iam::123456789012:role/${names.roles.imagePointerFn}`;

let server: MotoServer;
let clients: AwsClients;
let ctx: RuntimeContext;
let policies: CompiledPolicies;
const proxies: IamProxy[] = [];
const saved = { ...process.env };

/** The same policies with one action taken out of every statement of the custom resource's role. */
function without(action: string): CompiledPolicies {
  const copy = JSON.parse(JSON.stringify(policies)) as CompiledPolicies;
  for (const { policy } of copy.roles[roleArn]!.identity) {
    policy.Statement = policy.Statement.map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) })).filter((s) => s.Action.length > 0);
  }
  return copy;
}

async function proxyFor(p: CompiledPolicies): Promise<IamProxy> {
  const proxy = await startIamProxy({ target: server.motoEndpoint, authorizer: await Authorizer.create(p) });
  proxies.push(proxy);
  return proxy;
}

/** A pointer the runtime does not serve yet: what an infra apply's re-apply has to repair. */
async function stalePointer(tag: string): Promise<string> {
  const digest = await pushLocalImage(clients.ecr, ctx.platform.ecrRepositoryName, tag);
  await clients.ssm.send(new PutParameterCommand({ Name: ctx.platform.imagePointerParameter, Value: digest, Type: 'String', Overwrite: true }));
  return digest;
}

/** Runs the handler as Lambda runs it: its role's session credentials in the environment, requests through the proxy. */
async function invokeAsRole(proxy: IamProxy) {
  const session = await assumeRoleSession(proxy.endpoint, roleArn, 'image-pointer-fn', { credentials: ADMIN });
  Object.assign(process.env, credentialEnv(session), { AWS_ENDPOINT_URL: proxy.endpoint });
  try {
    return await handler(invocation(ctx, 'update', 'e'.repeat(64)));
  } finally {
    process.env.AWS_ACCESS_KEY_ID = ADMIN.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = ADMIN.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    process.env.AWS_ENDPOINT_URL = server.endpoint;
  }
}

beforeAll(async () => {
  const json = synthInfraJson(await testBundles(), { env: ENV }).json;
  server = await startMoto();
  process.env.AWS_ENDPOINT_URL = server.endpoint;
  process.env.POLL_INTERVAL_MS = '5';
  clients = createClients({ credentials: ADMIN });
  await bootstrapLocal({ env: ENV, clients });
  ctx = await openRuntime(ENV, { clients, actor: 'tester@test' });
  // The runtime-scoped grants name the runtime the bootstrap really created.
  policies = compilePolicies(json, { account: '123456789012', region: 'us-east-1', refs: localRefs(json, { agentRuntimeArn: ctx.platform.agentRuntimeArn }) });
}, 180_000);

afterAll(async () => {
  Object.values(clients ?? {}).forEach((c) => c.destroy());
  // Into the suite's unused-grants report (IAM is enforced by default), with the real runtime ARN.
  recordUsedGrants(proxies.flatMap((p) => p.used()));
  await Promise.all(proxies.map((p) => p.close()));
  await server?.stop();
  process.env = saved;
});

describe('image-pointer custom resource under IAM enforcement', () => {
  it("repairs a stale runtime as its own role, labelling the pointer's version (ssm:LabelParameterVersion granted)", async () => {
    // Prepare
    const proxy = await proxyFor(policies);
    const digest = await stalePointer('iam-with');
    // Act
    const result = await invokeAsRole(proxy);
    // Assess
    expect(result).toMatchObject({ action: 'update', changed: true, digest });
    expect(await runtimeStatus(ctx)).toMatchObject({ inSync: true, runtime: { digest } });
    expect(proxy.stats()).toMatchObject({ denied: 0 });
    expect(proxy.used()).toContainEqual({
      roleArn,
      action: 'ssm:LabelParameterVersion',
      resource: `arn:aws:ssm:us-east-1:123456789012:parameter${names.parameters.imagePointer}`,
    });
  });

  it('fails with AccessDenied on LabelParameterVersion when the role lacks that grant', async () => {
    // Prepare
    const proxy = await proxyFor(without('ssm:LabelParameterVersion'));
    await stalePointer('iam-without');
    // Act
    const failed = await invokeAsRole(proxy).catch((e: unknown) => e);
    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(String((failed as Error).message)).toContain(
      `is not authorized to perform: ssm:LabelParameterVersion on resource: arn:aws:ssm:us-east-1:123456789012:parameter${names.parameters.imagePointer}`,
    );
    expect(proxy.stats()).toMatchObject({ denied: 1 });
  });
});
