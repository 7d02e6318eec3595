/**
 * What the emulator's contract checking costs per request.
 *
 *   npx tsx bench/contracts.ts [--requests N]
 *
 * Starts a private moto twice, with checking on and with ABCA_CONTRACT_CHECK=off. Each time it
 * sends N sequential requests of three kinds: SSM PutParameter (JSON protocol), AgentCore
 * GetAgentRuntime (REST-JSON, path member) and AgentCore UpdateAgentRuntime (REST-JSON, a nested
 * body). It prints the median client-side latency of each kind, and the checker's own time per
 * request as the launcher measures it (GET /_abca/contracts/stats), after a warm-up request per
 * service, which loads and indexes its model (reported separately).
 */
import { printFigures } from './figures';
import { performance } from 'node:perf_hooks';
import {
  BedrockAgentCoreControlClient,
  CreateAgentRuntimeCommand,
  GetAgentRuntimeCommand,
  UpdateAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startMoto } from '../src/local/moto';

const requests = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 300;
const NETWORK = { networkMode: 'VPC' as const, networkModeConfig: { securityGroups: ['sg-0123456789abcdef0'], subnets: ['subnet-0123456789abcdef0'] } };
const uri = (i: number) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/abca-agent@sha256:${i.toString(16).padStart(64, '0')}`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(n: number, call: (i: number) => Promise<unknown>): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t);
  }
  return { first: times[0]!, median: median(times.slice(1)) };
}

async function run(check: boolean) {
  process.env.ABCA_CONTRACT_CHECK = check ? 'on' : 'off';
  const moto = await startMoto();
  try {
    const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
    const ssm = new SSMClient(config);
    const agentcore = new BedrockAgentCoreControlClient(config);
    const created = await agentcore.send(
      new CreateAgentRuntimeCommand({
        agentRuntimeName: 'bench',
        agentRuntimeArtifact: { containerConfiguration: { containerUri: uri(0) } },
        roleArn: 'arn:aws:iam::123456789012:role/bench',
        networkConfiguration: NETWORK,
      }),
    );
    const id = created.agentRuntimeId!;
    // Warm up: the first request of each service loads and indexes its model.
    await ssm.send(new PutParameterCommand({ Name: '/bench/warm', Value: 'v', Type: 'String' }));
    await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    const stats = async () => (await (await fetch(`${moto.endpoint}/_abca/contracts/stats`)).json()) as { checked: number; seconds: number };
    const warm = await stats();
    const put = await timed(requests, (i) => ssm.send(new PutParameterCommand({ Name: `/bench/p${i}`, Value: 'v', Type: 'String' })));
    const get = await timed(requests, () => agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id })));
    const update = await timed(requests, async (i) => {
      await agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
      return agentcore.send(
        new UpdateAgentRuntimeCommand({
          agentRuntimeId: id,
          agentRuntimeArtifact: { containerConfiguration: { containerUri: uri(i + 1) } },
          roleArn: 'arn:aws:iam::123456789012:role/bench',
          networkConfiguration: NETWORK,
          environmentVariables: { A: String(i) },
        }),
      );
    });
    const end = await stats();
    return { put, get, update, stats: { checked: end.checked - warm.checked, seconds: end.seconds - warm.seconds, loading: warm.seconds } };
  } finally {
    await moto.stop();
  }
}

async function main() {
  const on = await run(true);
  const off = await run(false);
  const row = (name: string, a: { first: number; median: number }, b: { first: number; median: number }) =>
    `${name.padEnd(28)} ${a.median.toFixed(2).padStart(8)} ${b.median.toFixed(2).padStart(8)} ${(a.median - b.median).toFixed(2).padStart(8)}   first request ${a.first.toFixed(1)} / ${b.first.toFixed(1)} ms`;
  console.log(`${requests} sequential requests per kind; median ms, checking on / off / difference`);
  console.log(row('SSM PutParameter', on.put, off.put));
  console.log(row('AgentCore GetAgentRuntime', on.get, off.get));
  console.log(row('AgentCore Get+UpdateAgentRuntime', on.update, off.update));
  console.log(
    `checker time inside the launcher: ${((on.stats.seconds / Math.max(1, on.stats.checked)) * 1000).toFixed(3)} ms per checked request (${on.stats.checked} warm requests); loading and indexing the SSM and AgentCore models: ${(on.stats.loading * 1000).toFixed(0)} ms once`,
  );
  printFigures('contracts', [
    { name: 'checker time per request (inside the launcher)', value: (on.stats.seconds / Math.max(1, on.stats.checked)) * 1000, unit: 'ms' },
    { name: 'model loading (SSM + AgentCore, once)', value: on.stats.loading * 1000, unit: 'ms' },
    { name: 'SSM PutParameter median, checking on', value: on.put.median, unit: 'ms' },
    { name: 'SSM PutParameter median, checking off', value: off.put.median, unit: 'ms' },
    { name: 'Get+UpdateAgentRuntime median, checking on', value: on.update.median, unit: 'ms' },
    { name: 'Get+UpdateAgentRuntime median, checking off', value: off.update.median, unit: 'ms' },
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
