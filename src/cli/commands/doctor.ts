/**
 * `bgagent doctor --env <env> [--json]`: one command an operator runs against a real account (or
 * local mode) before a workshop or after an upgrade. One line per check; exit 0 when none fails,
 * 3 when one does (warnings do not count). The checks are src/doctor/; this file wires the edges:
 * the clients, and which policy simulator answers the roles check.
 */
import type { Command } from 'commander';
import type { RoleSimulator, SimulatePrincipalPolicyInput, SimulatePrincipalPolicyOutput } from '../../doctor/roles';
import { examples, output, positiveNumber, withJson, type JsonOpts } from '../common';
import { readConfig } from '../config';
import { runtimeEnv } from './runtime';

interface DoctorOpts extends JsonOpts {
  env?: string;
  apiTimeoutMs?: string;
}

type Simulator = RoleSimulator | { unavailable: string; fix?: string };

/** On AWS: iam:SimulatePrincipalPolicy for each of the roles' questions. */
async function awsSimulator(region: string | undefined): Promise<Simulator> {
  const [{ awsRoleSimulator }, { iamClient }, { SimulatePrincipalPolicyCommand }] = await Promise.all([
    import('../../doctor/roles'),
    import('../../aws/clients'),
    import('@aws-sdk/client-iam'),
  ]);
  const client = iamClient({ region });
  return awsRoleSimulator(
    async (input: SimulatePrincipalPolicyInput) => (await client.send(new SimulatePrincipalPolicyCommand(input))) as SimulatePrincipalPolicyOutput,
  );
}

/** Locally: the emulator's enforcement point, when IAM is enforced there. */
async function localSimulator(endpoint: string): Promise<Simulator> {
  const { enforcementAt, localRoleSimulator } = await import('../../doctor/local');
  if (await enforcementAt(endpoint)) return localRoleSimulator(endpoint);
  return {
    unavailable: `the emulator at ${endpoint} does not enforce IAM`,
    fix: 'start it with ABCA_IAM_POLICIES=<synthesized cdk.tf.json> (src/local/moto.ts; docs/local-mode.md)',
  };
}

async function isLoopback(endpoint: string): Promise<boolean> {
  const { assertLoopbackEndpoint } = await import('../../local/moto');
  try {
    assertLoopbackEndpoint(endpoint, {});
    return true;
  } catch {
    return false;
  }
}

export function doctorCommand(program: Command): void {
  const cmd = withJson(
    program
      .command('doctor')
      .description(
        'Check an environment before a workshop or after an upgrade: MMDSv2 on live and canary, endpoints READY, pointer == live, ' +
          'each role allowed what its code sends, the DNS Firewall list COMPLETE, guardrails and promotion policy valid, the API answering, ' +
          'the Node version; exit 3 if any check fails',
      )
      .option('--env <env>', 'environment (default: $ABCA_ENV, the configured one, or dev)')
      .option('--api-timeout-ms <ms>', 'how long the API may take to answer GET /v1/openapi.json', '5000'),
  );
  examples(cmd, 'bgagent doctor --env dev', 'AWS_PROFILE=prod bgagent doctor --env prod --json');
  cmd.action(async (opts: DoctorOpts) => {
    const out = output(opts);
    let configured: { env?: string; region?: string } = {};
    try {
      configured = readConfig() ?? {};
    } catch {
      /* no client config: the flag, $ABCA_ENV or dev */
    }
    const env = runtimeEnv(opts.env, process.env, configured.env);
    const apiTimeoutMs = positiveNumber('--api-timeout-ms', opts.apiTimeoutMs, 5000);
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? configured.region;
    const [{ createClients, route53ResolverClient }, { loadPlatformConfig }, { defaultActor }, { runDoctor, formatDoctor, doctorExit }] = await Promise.all([
      import('../../aws/clients'),
      import('../../platform/platform-config'),
      import('../../runtime/context'),
      import('../../doctor'),
    ]);
    const clients = createClients({ region, maxAttempts: 3 });
    const resolver = route53ResolverClient({ region, maxAttempts: 3 });
    try {
      const platform = await loadPlatformConfig(clients.ssm, env);
      const endpoint = process.env.AWS_ENDPOINT_URL;
      // Local mode is an emulator on loopback; any other endpoint (a VPC endpoint, a proxy) is AWS.
      const simulator = endpoint && (await isLoopback(endpoint)) ? await localSimulator(endpoint) : await awsSimulator(region);
      const report = await runDoctor({
        ctx: { env, platform, clients, actor: defaultActor(), log: () => {} },
        resolver,
        simulator,
        apiTimeoutMs,
      });
      out.result(report, () => formatDoctor(env, report.checks));
      process.exitCode = doctorExit(report.checks);
    } finally {
      Object.values(clients).forEach((c) => (c as { destroy?: () => void }).destroy?.());
      resolver.destroy();
    }
  });
}
