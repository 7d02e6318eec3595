/**
 * The grant fits the code: every request a real promotion sends (captured on the SDK clients while
 * promoting dev → prod in moto) is evaluated with the IAM policy simulator against the prod
 * publisher's synthesized policy. Each request that reaches the source environment, or prod's
 * promotion policy, must be allowed, and every one that reaches the source must be a read.
 */
import type { AwsClients } from '../../src/aws/clients';
import { createClients } from '../../src/aws/clients';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { platformNames } from '../../src/platform/names';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { openRuntime, publishRuntime } from '../../src/runtime';
import { promoteRuntime } from '../../src/runtime/verbs/promote';
import { decide, ACCOUNT, REGION, rolePolicy, synthInfraJson, testBundles } from '../infra/support';
import { useMoto } from '../support/moto';
import { FAST, pushImage } from './support';

interface Call {
  service: string;
  command: string;
  input: Record<string, unknown>;
}

function capturing(calls: Call[]): AwsClients {
  const clients = createClients();
  const tap = (service: string, stack: { add: (...a: never[]) => void }) =>
    (stack.add as unknown as (mw: unknown, opts: unknown) => void)(
      (next: (a: unknown) => unknown, context: { commandName: string }) => async (args: { input: Record<string, unknown> }) => {
        calls.push({ service, command: context.commandName.replace(/Command$/, ''), input: args.input });
        return next(args);
      },
      { step: 'initialize', name: `capture-${service}` },
    );
  tap('ssm', clients.ssm.middlewareStack);
  tap('dynamodb', clients.ddb.middlewareStack);
  tap('ecr', clients.ecr.middlewareStack);
  tap('bedrock-agentcore', clients.agentcore.middlewareStack);
  return clients;
}

/** The IAM action and resource ARN of one captured request (the account and region the synth uses). */
function toRequest(call: Call, runtimes: Map<string, string>): { action: string; resource: string } {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  const i = call.input;
  const resource =
    call.service === 'ssm'
      ? arn('ssm', `parameter${String(i.Name).split(':')[0]}`)
      : call.service === 'dynamodb'
        ? arn('dynamodb', `table/${String(i.TableName)}`)
        : call.service === 'ecr'
          ? arn('ecr', `repository/${String(i.repositoryName)}`)
          : `${arn('bedrock-agentcore', `runtime/${runtimes.get(String(i.agentRuntimeId)) ?? String(i.agentRuntimeId)}`)}${i.endpointName ? `/runtime-endpoint/${String(i.endpointName)}` : ''}`;
  return { action: `${call.service}:${call.command}`, resource };
}

const READS =
  /^(ssm:GetParameter|dynamodb:(Query|GetItem)|ecr:(BatchGetImage|GetDownloadUrlForLayer|BatchCheckLayerAvailability|DescribeImages)|bedrock-agentcore:(GetAgentRuntime|GetAgentRuntimeEndpoint|ListAgentRuntimeVersions))$/;

describe('promotion requests against the target publisher grant (IAM simulator)', () => {
  useMoto();

  it('every request to dev (the source) is a read the prod publisher is allowed, and so is reading prod’s policy', async () => {
    // Prepare: dev has A live and smoked; prod accepts dev (stack and bootstrap alike)
    const setup = createClients();
    const [{ platform: dev }, { platform: prod }] = await Promise.all([
      bootstrapLocal({ env: 'dev', clients: setup }),
      bootstrapLocal({ env: 'prod', clients: setup, promoteFrom: ['dev'] }),
    ]);
    const devCtx = await openRuntime('dev', { clients: setup, actor: 'tester@test' });
    await pushImage(devCtx, 'a');
    await publishRuntime(devCtx, { imageTag: 'a', smokeCmd: 'true', ...FAST });
    const calls: Call[] = [];
    const clients = capturing(calls);
    const json = synthInfraJson(await testBundles(), { env: 'prod', promoteFrom: 'dev' }).json;
    const role = platformNames('prod').roles.runtimePublisher;
    const policy = rolePolicy(json, role);
    const idOf = (p: PlatformConfig) => p.agentRuntimeArn.split('runtime/')[1]!;
    const runtimes = new Map([dev, prod].map((p) => [p.agentRuntimeId, idOf(p)]));

    // Act
    const [source, target] = await Promise.all([openRuntime('dev', { clients, actor: 'ci' }), openRuntime('prod', { clients, actor: 'ci' })]);
    const result = await promoteRuntime(source, target, { smokeCmd: 'true', ...FAST });
    const requests = calls.map((c) => toRequest(c, runtimes));
    const toSource = requests.filter(
      (r) => r.resource.includes('abca-dev-') || r.resource.includes('/abca/dev/') || r.resource.includes('runtime/abca_dev_agent'),
    );
    const policyRead = requests.filter((r) => r.resource.endsWith('/abca/prod/promotion-policy'));
    const decided = await Promise.all(
      [...toSource, ...policyRead].map(async (r) => `${r.action} ${r.resource}: ${await decide(policy, `arn:aws:iam::${ACCOUNT}:role/${role}`, r)}`),
    );

    // Assess
    expect(result.outcome).toBe('published');
    expect(toSource.length).toBeGreaterThan(3);
    expect(policyRead).toHaveLength(1);
    expect(decided).toEqual([...toSource, ...policyRead].map((r) => `${r.action} ${r.resource}: Allowed`));
    expect(toSource.filter((r) => !READS.test(r.action))).toEqual([]);
    // What it read of dev: its platform document, audit, runtime and live endpoint, and the image
    // (its manifest, and its blobs through the download URLs: the emulator holds blobs per repository).
    expect(new Set(toSource.map((r) => r.action))).toEqual(
      new Set([
        'ssm:GetParameter',
        'dynamodb:Query',
        'bedrock-agentcore:GetAgentRuntime',
        'bedrock-agentcore:GetAgentRuntimeEndpoint',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ]),
    );
  }, 120_000);
});
