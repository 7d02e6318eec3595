/**
 * What the local IAM check costs per request (aim: < 0.5 ms), in this process, without HTTP:
 * the enforcement decision the proxy makes for every request a component's session sends.
 *
 *   npx tsx bench/iam.ts [--requests N]
 *
 * A mix of the project's requests (the agent's row update, the publisher's pointer, runtime and
 * endpoint calls, the API's reads) from sessions of the stack's roles, synthesized in-process.
 *   first   every request distinct (new task ids, parameter versions): each is evaluated by the
 *           policy engine (what a suite's first request of a kind costs)
 *   repeat  the same requests again: decisions come from the memo
 * Per request: p50 and p99 of the whole check, of request parsing (identify + mapping) and of
 * policy evaluation, and evaluation's share of the total; and the policy engine's cost when a
 * question is not in the memo (memoized on role, action, resource and the condition keys read).
 */
import { Authorizer, compilePolicies, Enforcer, Environments, identify, questionsFor, type HttpRequest } from '../src/local/iam';
import { cachedStacks } from '../src/local/iam/stack';
import { platformNames } from '../src/platform/names';
import { synthInfraJson, testBundles } from '../test/infra/support';
import { printFigures, type Figure } from './figures';

const AIM_MS = 0.5;
const arg = (name: string, dflt: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : dflt;
};

const names = platformNames('dev');
const ACCOUNT = '123456789012';
const sign = (service: string, key: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261203/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
});
const json = (key: string, target: string, body: unknown): HttpRequest => ({
  method: 'POST',
  url: '/',
  headers: { ...sign(target.startsWith('DynamoDB') ? 'dynamodb' : 'ssm', key), 'x-amz-target': target },
  body: Buffer.from(JSON.stringify(body)),
});

/** The i-th request of the mix; `i` makes it distinct (a new key, a new version). */
function request(i: number, runtimeId: string): HttpRequest {
  const runtimeArn = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/${runtimeId}`;
  switch (i % 6) {
    case 0:
      return json('ASIAAGENT', 'DynamoDB_20120810.UpdateItem', {
        TableName: names.tables.tasks,
        Key: { task_id: { S: `t-${i}` } },
        UpdateExpression: 'SET #s = :s, heartbeat_at = :h',
        ConditionExpression: 'attribute_exists(task_id)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'RUNNING' }, ':h': { S: String(i) } },
      });
    case 1:
      return json('ASIAPUBLISHER', 'AmazonSSM.GetParameter', { Name: `${names.parameters.imagePointer}:${(i % 100) + 1}` });
    case 2:
      return json('ASIAAPI', 'DynamoDB_20120810.GetItem', { TableName: names.tables.repos, Key: { repo: { S: `org/repo-${i}` } } });
    case 3:
      return {
        method: 'GET',
        url: `/runtimes/${runtimeId}/runtime-endpoints/live-${i}/`,
        headers: sign('bedrock-agentcore', 'ASIAPUBLISHER'),
        body: Buffer.alloc(0),
      };
    case 4:
      return json('ASIAAPI', 'DynamoDB_20120810.Query', {
        TableName: names.tables.tasks,
        KeyConditionExpression: 'task_id = :t',
        ExpressionAttributeValues: { ':t': { S: `t-${i}` } },
      });
    default:
      return {
        method: 'POST',
        url: `/runtimes/${encodeURIComponent(runtimeArn)}/invocations?qualifier=q${i}`,
        headers: sign('bedrock-agentcore', 'ASIAAPI'),
        body: Buffer.from('{}'),
      };
  }
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

async function main(): Promise<void> {
  const count = arg('--requests', 3000);
  let started = performance.now();
  const stackJson = synthInfraJson(await testBundles(), { env: 'dev' }).json;
  const synthMs = performance.now() - started;
  started = performance.now();
  const policies = compilePolicies(stackJson);
  const authorizer = await Authorizer.create(policies);
  const compileMs = performance.now() - started;
  const role = (n: string) => `arn:aws:iam::${ACCOUNT}:role/${n}`;
  const enforcer = new Enforcer(authorizer);
  enforcer.sessions.set('ASIAAGENT', { roleArn: role(names.roles.runtimeExecution), sessionName: 'agent', tags: {} });
  enforcer.sessions.set('ASIAPUBLISHER', { roleArn: role(names.roles.runtimePublisher), sessionName: 'ci', tags: {} });
  enforcer.sessions.set('ASIAAPI', { roleArn: role(names.roles.apiFn), sessionName: 'api', tags: {} });
  const runtimeId = `${names.agentRuntime}-a1b2c3d4e5`;
  const requests = Array.from({ length: count }, (_, i) => request(i, runtimeId));

  // Warm the engine's own lazy loading (service data) on requests outside the measured set.
  for (let i = 0; i < 12; i++) await enforcer.check(request(count + i, runtimeId));

  const run = async () => {
    const total: number[] = [];
    const parse: number[] = [];
    const evaluation: number[] = [];
    const misses: number[] = [];
    let allowed = 0;
    for (const req of requests) {
      const t0 = performance.now();
      const identified = identify(req)!;
      const questions = questionsFor(identified, policies) ?? [];
      const t1 = performance.now();
      const session = enforcer.sessions.get(identified.accessKeyId!)!;
      let ok = true;
      for (const q of questions) {
        const before = authorizer.engineMs;
        ok = (await authorizer.decide(session, q, identified.region)).decision === 'Allowed' && ok;
        if (authorizer.engineMs > before) misses.push(authorizer.engineMs - before);
      }
      const t2 = performance.now();
      if (ok) allowed++;
      parse.push(t1 - t0);
      evaluation.push(t2 - t1);
      total.push(t2 - t0);
    }
    return { total, parse, evaluation, misses, allowed };
  };
  const first = await run();
  const repeat = await run();
  // The enforcer's own path (what the proxy calls), on the repeated requests.
  const check: number[] = [];
  for (const req of requests) {
    const t0 = performance.now();
    await enforcer.check(req);
    check.push(performance.now() - t0);
  }

  const row = (label: string, r: Awaited<ReturnType<typeof run>>) => {
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    const share = (100 * sum(r.evaluation)) / sum(r.total);
    process.stderr.write(
      `${label.padEnd(8)} total p50 ${pct(r.total, 50).toFixed(3)} ms  p99 ${pct(r.total, 99).toFixed(3)} ms | parsing p50 ${pct(r.parse, 50).toFixed(3)} p99 ${pct(r.parse, 99).toFixed(3)} | evaluation p50 ${pct(r.evaluation, 50).toFixed(3)} p99 ${pct(r.evaluation, 99).toFixed(3)} | evaluation ${share.toFixed(0)}% of the time\n`,
    );
    return share;
  };
  process.stderr.write(
    `iam bench: ${count} requests (${first.allowed} allowed), synth ${synthMs.toFixed(0)} ms, policies compiled and validated in ${compileMs.toFixed(0)} ms\n`,
  );
  const firstShare = row('first', first);
  const repeatShare = row('repeat', repeat);
  process.stderr.write(
    `policy engine per evaluation (memo misses: ${first.misses.length} of ${first.evaluation.length} requests' questions) p50 ${pct(first.misses, 50).toFixed(3)} ms  p99 ${pct(first.misses, 99).toFixed(3)} ms\n`,
  );
  process.stderr.write(`enforcer.check (repeat) p50 ${pct(check, 50).toFixed(3)} ms  p99 ${pct(check, 99).toFixed(3)} ms; aim < ${AIM_MS} ms per request\n`);

  // A new environment (each test env, each bootstrap's runtime ARN): synth once, then compile and swap in.
  const environments = new Environments(cachedStacks(), { account: ACCOUNT, region: 'us-east-1' });
  started = performance.now();
  await authorizer.extend(await environments.policies('benchnew'));
  const newEnvMs = performance.now() - started;
  environments.runtimeCreated('benchnew', `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/abca_benchnew_agent-Zz9Yy8Xx7W`);
  started = performance.now();
  await authorizer.extend(await environments.policies('benchnew'));
  const relearnMs = performance.now() - started;
  process.stderr.write(`a new environment: ${newEnvMs.toFixed(0)} ms (synth + compile + swap in); its runtime ARN learnt: ${relearnMs.toFixed(0)} ms\n`);

  const figures: Figure[] = [
    { name: 'first request: check p50', value: pct(first.total, 50), unit: 'ms', aim: `< ${AIM_MS} ms`, ok: pct(first.total, 50) < AIM_MS },
    { name: 'first request: check p99', value: pct(first.total, 99), unit: 'ms' },
    { name: 'first request: evaluation share', value: firstShare, unit: '%' },
    { name: 'repeat: check p50', value: pct(repeat.total, 50), unit: 'ms', aim: `< ${AIM_MS} ms`, ok: pct(repeat.total, 50) < AIM_MS },
    { name: 'repeat: check p99', value: pct(repeat.total, 99), unit: 'ms' },
    { name: 'repeat: evaluation share', value: repeatShare, unit: '%' },
    { name: 'parsing p50', value: pct(first.parse, 50), unit: 'ms' },
    { name: 'engine evaluation (memo miss) p50', value: pct(first.misses, 50), unit: 'ms' },
    { name: 'engine evaluation (memo miss) p99', value: pct(first.misses, 99), unit: 'ms' },
    { name: 'compile + validate policies', value: compileMs, unit: 'ms' },
    { name: 'new environment learnt (synth + compile)', value: newEnvMs, unit: 'ms' },
    { name: 'runtime ARN learnt (compile again)', value: relearnMs, unit: 'ms' },
  ];
  printFigures('iam', figures);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
  process.exit(1);
});
