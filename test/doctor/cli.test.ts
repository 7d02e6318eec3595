/**
 * `bgagent doctor --env <env> --json` as an operator runs it (the built binary, a child process)
 * against a freshly bootstrapped local environment with its API up and a first publish done.
 */
import { createClients } from '../../src/aws/clients';
import { startApiServer, type ApiServer } from '../../src/api/server';
import type { DoctorReport } from '../../src/doctor';
import { Authorizer, compilePolicies, startIamProxy, type IamProxy } from '../../src/local/iam';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { publishRuntime } from '../../src/runtime';
import { bgagent, tempConfigDir, useBuiltCli } from '../cli/support';
import { resources, synthInfraJson, testBundles } from '../infra/support';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pushImage } from '../runtime/support';

const ENV = 'clidoc';

describe('bgagent doctor (built binary, local environment)', () => {
  const moto = useMoto();
  useBuiltCli();
  const clients = createClients();
  let api: ApiServer;
  let proxy: IamProxy;
  const run = (endpoint: string) =>
    bgagent(['doctor', '--env', ENV, '--json'], { env: { AWS_ENDPOINT_URL: endpoint, BGAGENT_CONFIG_DIR: tempConfigDir() }, timeoutMs: 60_000 });

  beforeAll(async () => {
    // A fresh environment, its API, and a first publish smoked through canary.
    const ctx = await bootstrappedRuntime(ENV, clients);
    api = await startApiServer({ env: ENV, port: 0, clients, log: () => undefined, provision: false });
    const { platform } = await bootstrapLocal({ env: ENV, clients, apiUrl: api.url });
    await publishRuntime(ctx, { imageDigest: await pushImage(ctx, 'a'), smokeCmd: 'true', ...FAST });
    // IAM enforcement in front of the same emulator: the stack's policies, with the runtime this bootstrap made.
    const json = synthInfraJson(await testBundles(), { env: ENV }).json;
    const [runtimeId] = resources(json, 'aws_bedrockagentcore_agent_runtime')[0]!;
    const policies = compilePolicies(json, {
      account: '123456789012',
      region: 'us-east-1',
      refs: { [`aws_bedrockagentcore_agent_runtime.${runtimeId}.agent_runtime_arn`]: platform.agentRuntimeArn },
    });
    proxy = await startIamProxy({ target: moto.endpoint(), authorizer: await Authorizer.create(policies) });
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  it('passes on a plain emulator: every check ok but the ones it cannot show (roles, DNS Firewall) and Node 20, exit 0', async () => {
    // Act
    // moto itself: the test bed's default endpoint enforces IAM.
    const result = await run(moto.plainEndpoint());
    // Assess
    const report = result.json() as DoctorReport;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(report).toMatchObject({ env: ENV, ok: true });
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({ mmdsv2: 'ok', endpoints: 'ok', 'pointer-live': 'ok', guardrails: 'ok', 'promotion-policy': 'ok', api: 'ok' });
    expect(report.checks.find((c) => c.name === 'roles')).toMatchObject({ status: 'warn', why: expect.stringContaining('does not enforce IAM') });
    expect(status['dns-firewall']).toBe('warn');
    expect(status.node).toBe(Number(process.versions.node.split('.')[0]) >= 22 ? 'ok' : 'warn');
  }, 90_000);

  it("with IAM enforced, asks the emulator's engine about every role's requests", async () => {
    // Act
    const result = await run(proxy.endpoint);
    // Assess
    const report = result.json() as DoctorReport;
    expect(report.roles?.length).toBeGreaterThan(30);
    expect(new Set(report.roles?.map((f) => f.component))).toEqual(new Set(['api', 'provisioner', 'imagePointer', 'reconciler', 'publisher', 'agent']));
    const refused = report.roles!.filter((f) => f.answer.decision !== 'allowed');
    // The custom resource's label grant is issue 21 item 2's: until it lands, the one refusal.
    expect(refused.filter((f) => !(f.component === 'imagePointer' && f.action === 'ssm:LabelParameterVersion'))).toEqual([]);
    expect(report.checks.find((c) => c.name === 'roles')).toMatchObject({
      status: refused.length ? 'FAIL' : 'ok',
      why: expect.stringContaining('the local IAM engine'),
    });
    expect(result.code).toBe(refused.length ? 3 : 0);
  }, 90_000);
});
