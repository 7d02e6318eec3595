/**
 * runDoctor against moto: a bootstrapped environment after its first publish passes every check
 * the emulator can show, and each check fails when its fault is present.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateAgentRuntimeEndpointCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients, route53ResolverClient } from '../../src/aws/clients';
import { runDoctor, type DoctorDeps, type DoctorReport, type RoleSimulator } from '../../src/doctor';
import { setEndpointUpdateDelay } from '../../src/local/moto';
import { loadPlatformConfig } from '../../src/platform/platform-config';
import { publishRuntime } from '../../src/runtime';
import { endpointNames, waitEndpointServes } from '../../src/runtime/endpoints';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pushImage } from '../runtime/support';

const allowAll: RoleSimulator = { source: 'test', simulate: async (_, qs) => qs.map(() => ({ decision: 'allowed' as const })) };

/** A stand-in for the API: answers GET /v1/openapi.json. */
async function fakeApi(answer: (res: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => (req.url === '/v1/openapi.json' ? answer(res) : res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** SDK middleware answering GetFirewallDomainList as AWS would for a list in this state (moto has no DNS Firewall). */
function answerDomainList(client: ReturnType<typeof route53ResolverClient>, status: string, statusMessage?: string): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'GetFirewallDomainListCommand') return next(args);
      const id = (args.input as { FirewallDomainListId: string }).FirewallDomainListId;
      return {
        output: { FirewallDomainList: { Id: id, Name: 'abca-docok-onboarded', Status: status, StatusMessage: statusMessage }, $metadata: {} },
        response: {},
      };
    },
    { step: 'initialize', name: `domain-list-${status}` },
  );
}

const byName = (r: DoctorReport, name: string) => r.checks.find((c) => c.name === name)!;

describe('bgagent doctor against the emulator', () => {
  useMoto();
  const clients = createClients();
  let api: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    api = await fakeApi((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ openapi: '3.1.0', paths: {} })));
  });
  afterAll(async () => {
    await api.close();
  });

  async function deps(env: string, over: Partial<DoctorDeps> = {}, platformOver: Record<string, unknown> = {}): Promise<DoctorDeps> {
    const platform = { ...(await loadPlatformConfig(clients.ssm, env)), apiUrl: api.url, ...platformOver };
    return {
      ctx: { env, platform, clients, actor: 'tester@test', log: () => {} },
      resolver: route53ResolverClient(),
      simulator: allowAll,
      nodeVersion: 'v22.12.0',
      ...over,
    };
  }

  /** Bootstrap, then a first publish smoked through canary: live and canary on a version of ours (MMDSv2 required). */
  async function published(env: string) {
    const ctx = await bootstrappedRuntime(env, clients);
    await publishRuntime(ctx, { imageDigest: await pushImage(ctx, 'a'), smokeCmd: 'true', ...FAST });
    return ctx;
  }

  it('passes on a published local environment: every check ok, the DNS Firewall a warning (none locally), exit 0', async () => {
    // Prepare
    await published('docok');
    // Act
    const report = await runDoctor(await deps('docok'));
    // Assess
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['mmdsv2', 'ok'],
      ['endpoints', 'ok'],
      ['pointer-live', 'ok'],
      ['roles', 'ok'],
      ['dns-firewall', 'warn'],
      ['guardrails', 'ok'],
      ['promotion-policy', 'ok'],
      ['api', 'ok'],
      ['node', 'ok'],
    ]);
    expect(report.ok).toBe(true);
  });

  it('mmdsv2: fails where live serves the version a Terraform-like create made (no requireMMDSV2)', async () => {
    // Prepare: the bootstrap creates version 1 as Terraform does (no metadataConfiguration), then
    // re-applies as the stack does; live is moved back onto version 1 by hand.
    const ctx = await bootstrappedRuntime('docmmds', clients);
    await clients.agentcore.send(
      new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: ctx.platform.agentRuntimeId, endpointName: endpointNames(ctx).live, agentRuntimeVersion: '1' }),
    );
    await waitEndpointServes(ctx, endpointNames(ctx).live, '1', FAST);
    // Act
    const report = await runDoctor(await deps('docmmds'));
    // Assess
    expect(byName(report, 'mmdsv2')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('live serves v1 without requireMMDSV2') });
    expect(report.ok).toBe(false);
  });

  it('endpoints: fails while canary is moving (not READY)', async () => {
    // Prepare
    const ctx = await published('docmove');
    await setEndpointUpdateDelay(process.env.AWS_ENDPOINT_URL!, 60);
    try {
      await clients.agentcore.send(
        new UpdateAgentRuntimeEndpointCommand({
          agentRuntimeId: ctx.platform.agentRuntimeId,
          endpointName: ctx.platform.canaryEndpoint,
          agentRuntimeVersion: '1',
        }),
      );
      // Act
      const report = await runDoctor(await deps('docmove'));
      // Assess
      expect(byName(report, 'endpoints')).toMatchObject({ status: 'FAIL', why: 'canary is UPDATING' });
    } finally {
      await setEndpointUpdateDelay(process.env.AWS_ENDPOINT_URL!, 0);
    }
  });

  it("pointer-live: fails with runtime status's drift and fix when the pointer moved alone", async () => {
    // Prepare
    const ctx = await published('docdrift');
    const b = await pushImage(ctx, 'b');
    await clients.ssm.send(new PutParameterCommand({ Name: ctx.platform.imagePointerParameter, Value: b, Type: 'String', Overwrite: true }));
    // Act
    const report = await runDoctor(await deps('docdrift'));
    // Assess
    expect(byName(report, 'pointer-live')).toMatchObject({ status: 'FAIL', fix: `tsx scripts/publish-runtime.ts --env docdrift --image-digest ${b}` });
  });

  it('roles: fails when the simulator refuses a request, and only warns without a simulator', async () => {
    // Prepare
    await published('docroles');
    const denyLabels: RoleSimulator = {
      source: 'test',
      simulate: async (_, qs) =>
        qs.map((q) => (q.action === 'ssm:LabelParameterVersion' ? { decision: 'implicitDeny' as const, reason: 'no' } : { decision: 'allowed' as const })),
    };
    // Act
    const refused = await runDoctor(await deps('docroles', { simulator: denyLabels }));
    const unchecked = await runDoctor(await deps('docroles', { simulator: { unavailable: 'no simulator here' } }));
    // Assess
    expect(byName(refused, 'roles')).toMatchObject({
      status: 'FAIL',
      why: expect.stringContaining('imagePointer (abca-docroles-image-pointer-fn) may not ssm:LabelParameterVersion'),
    });
    expect(refused.roles?.filter((f) => f.answer.decision !== 'allowed').map((f) => f.component)).toEqual(['imagePointer', 'publisher']);
    expect(byName(unchecked, 'roles')).toMatchObject({ status: 'warn', why: 'not checked: no simulator here' });
    expect(unchecked.ok).toBe(true);
  });

  it('dns-firewall: fails while the list is UPDATING or after a failed import, passes when COMPLETE, fails on what the emulator answers', async () => {
    // Prepare
    await published('docdns');
    const withList = { onboardedDomainListId: 'rslvr-fdl-0123456789' };
    const answering = (status: string, message?: string) => {
      const resolver = route53ResolverClient();
      answerDomainList(resolver, status, message);
      return resolver;
    };
    // Act
    const updating = await runDoctor(await deps('docdns', { resolver: answering('UPDATING') }, withList));
    const failed = await runDoctor(await deps('docdns', { resolver: answering('COMPLETE_IMPORT_FAILED', 'bad domain') }, withList));
    const complete = await runDoctor(await deps('docdns', { resolver: answering('COMPLETE') }, withList));
    // moto's own answer (no DNS Firewall model, or no such list): an honest FAIL naming it
    const emulator = await runDoctor(await deps('docdns', {}, withList));
    // Assess
    expect(byName(updating, 'dns-firewall')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('is UPDATING') });
    expect(byName(failed, 'dns-firewall')).toMatchObject({ status: 'FAIL', why: 'list rslvr-fdl-0123456789 is COMPLETE_IMPORT_FAILED (bad domain)' });
    expect(byName(complete, 'dns-firewall')).toMatchObject({ status: 'ok' });
    expect(byName(emulator, 'dns-firewall').status).toBe('FAIL');
  });

  it('guardrails and promotion policy: fail when an operator wrote documents their readers refuse', async () => {
    // Prepare
    await published('docpol');
    const put = (Name: string, Value: string) => clients.ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true }));
    await put('/abca/docpol/guardrails', JSON.stringify({ allowed_models: [] }));
    await put('/abca/docpol/promotion-policy', JSON.stringify({ accept_from: ['dev'], require_smoke: 'yes' }));
    // Act
    const report = await runDoctor(await deps('docpol'));
    // Assess
    expect(byName(report, 'guardrails')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('allowed_models') });
    expect(byName(report, 'promotion-policy')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('require_smoke') });
  });

  it('api: fails when nothing answers, and when the answer does not come within the timeout', async () => {
    // Prepare
    await published('docapi');
    const silent = await fakeApi(() => undefined);
    try {
      // Act
      const down = await runDoctor(await deps('docapi', {}, { apiUrl: 'http://127.0.0.1:9' }));
      const slow = await runDoctor(await deps('docapi', { apiTimeoutMs: 200 }, { apiUrl: silent.url }));
      // Assess
      expect(byName(down, 'api')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('http://127.0.0.1:9/v1/openapi.json') });
      expect(byName(slow, 'api')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('no answer within 200 ms') });
    } finally {
      await silent.close();
    }
  });

  it('node: only warns under Node 22 (the exit code stays 0)', async () => {
    // Prepare
    await published('docnode');
    // Act
    const report = await runDoctor(await deps('docnode', { nodeVersion: 'v20.19.0' }));
    // Assess
    expect(byName(report, 'node').status).toBe('warn');
    expect(report.ok).toBe(true);
  });
});
