/**
 * The platform's own canary check: on by default in publish (scripts and bgagent), before `live`
 * moves, through `canary`: the version serves the digest, an invocation is accepted, and the
 * release policy's golden task (a real task on the candidate, through the local data plane and the
 * stub agent) is judged on outcome, turns, cost and duration.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../src/aws/clients';
import { FAULT_ANNOTATION } from '../../src/local/data-plane/runtimes';
import { pushLocalImage } from '../../src/local/images';
import { defaultReleasePolicy, releasePolicyParameter, type ReleaseLimits } from '../../src/platform/release-policy';
import { REPO_DEFAULTS, RepoConfigSchema, type RepoConfig } from '../../src/repos/repo-config';
import { listAudit, planMove, publishRuntime, type RuntimeContext } from '../../src/runtime';
import { digestCheck, judgeGoldenTask, releaseCheckCaller, type GoldenTaskFigures } from '../../src/runtime/canary-check';
import { getEndpoint } from '../../src/runtime/endpoints';
import { canaryFromPolicy } from '../../src/runtime/verbs/publish';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, BOOTSTRAP_ACTOR, FAST, pushImage } from './support';

const LIMITS: ReleaseLimits = { outcome: 'COMPLETED', max_turns: 10, max_cost_usd: 1, max_duration_seconds: 60 };
const figures = (over: Partial<GoldenTaskFigures> = {}): GoldenTaskFigures => ({
  task_id: 'task-1',
  status: 'COMPLETED',
  turns: 4,
  cost_usd: 0.5,
  duration_seconds: 3,
  ...over,
});

describe('canary check: verdicts (pure)', () => {
  it('a golden task within every limit passes', () => {
    expect(judgeGoldenTask(figures(), LIMITS)).toEqual([]);
  });

  it.each([
    ['outcome', figures({ status: 'FAILED', reason: 'agent: no' }), /outcome FAILED \(agent: no\), needs COMPLETED/],
    ['turns', figures({ turns: 11 }), /11 turns, limit 10/],
    ['cost', figures({ cost_usd: 1.01 }), /cost \$1.01, limit \$1/],
    ['duration', figures({ duration_seconds: 61 }), /61 s, limit 60 s/],
  ])('a golden task over its %s limit fails, naming it', (_limit, task, reason) => {
    const failures = judgeGoldenTask(task, LIMITS);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(reason);
  });

  it('a version serving another digest fails the digest check', () => {
    expect(digestCheck('7', 'sha256:a', 'sha256:a').ok).toBe(true);
    expect(digestCheck('7', 'sha256:b', 'sha256:a')).toMatchObject({ ok: false, detail: 'version 7 serves sha256:b, not sha256:a' });
  });

  it('the release policy turns the check on (default), names the golden task with its limits, or turns it off', () => {
    const policy = defaultReleasePolicy();
    expect(canaryFromPolicy(policy)).toEqual({});
    expect(canaryFromPolicy({ ...policy, golden_task: { repo: 'a/b', description: 'x' } })).toEqual({
      golden: { repo: 'a/b', description: 'x', limits: policy.limits },
    });
    expect(canaryFromPolicy({ ...policy, canary_check: { enabled: false } })).toBeUndefined();
  });

  it('the plan checks on canary, platform check first, then the smoke command, and moves live last', () => {
    // Act
    const plan = planMove({
      env: 'dev',
      action: 'publish',
      runtimeId: 'r',
      observed: {
        pointer: { digest: 'sha256:a', version: 1 },
        latest: { version: '1', status: 'READY', digest: 'sha256:a' },
        live: { liveVersion: '1', status: 'READY', digest: 'sha256:a' },
      },
      to: 'sha256:b',
      smokeCmd: 'true',
      canaryCheck: {},
    });
    // Assess
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'write_pointer',
      'update_runtime',
      'wait_version',
      'move_endpoint',
      'canary_check',
      'smoke',
      'move_endpoint',
      'labels',
      'audit',
    ]);
    expect(plan.writes[4]).toBe('canary check the new version through canary: serves the digest, invocation accepted, no golden task');
  });
});

describe('canary check: publish through the local data plane', () => {
  useMoto();
  const plane = useDataPlane({ agentEnv: { GIT_COMMIT: 'abc1234', ABCA_HEARTBEAT_MS: '100', ABCA_AGENT_STEP_MS: '0' } });
  afterEach(() => plane().setAgentEnv({ GIT_COMMIT: 'abc1234', ABCA_HEARTBEAT_MS: '100', ABCA_AGENT_STEP_MS: '0' }));
  const clients = createClients();

  const liveVersion = async (ctx: RuntimeContext) => (await getEndpoint(ctx, ctx.platform.liveEndpoint)).liveVersion;
  const setPolicy = (ctx: RuntimeContext, policy: object) =>
    clients.ssm.send(new PutParameterCommand({ Name: releasePolicyParameter(ctx.env), Value: JSON.stringify(policy), Type: 'String', Overwrite: true }));
  async function fixtureRepo(ctx: RuntimeContext, repo: string, settings: Partial<RepoConfig> = {}): Promise<void> {
    const at = new Date().toISOString();
    const row = RepoConfigSchema.parse({ ...REPO_DEFAULTS, repo, status: 'active', onboarded_at: at, updated_at: at, source: 'api', version: 1, ...settings });
    const tables = (ctx.platform as unknown as { tables: { repos: string } }).tables;
    await clients.doc.send(new PutCommand({ TableName: tables.repos, Item: row }));
  }
  const releaseTasks = async (ctx: RuntimeContext) => {
    const tables = (ctx.platform as unknown as { tables: { tasks: string } }).tables;
    const rows = (await clients.doc.send(new ScanCommand({ TableName: tables.tasks }))).Items ?? [];
    return rows.filter((r) => r.submitted_by === releaseCheckCaller(ctx.env));
  };

  it('with no --smoke-cmd, a bad image (the stub fault annotation) never reaches live; a good one does, checked', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('canbad', clients);
    const before = await liveVersion(ctx);
    const bad = await pushLocalImage(ctx.clients.ecr, ctx.platform.ecrRepositoryName, 'bad', 'bad', { [FAULT_ANNOTATION]: 'unhealthy' });
    const good = await pushImage(ctx, 'good');
    // Act
    const refused = await runTsx('scripts/publish-runtime.ts', ['--env', 'canbad', '--image-digest', bad, '--poll-interval-ms', '20', '--json']);
    const afterBad = await liveVersion(ctx);
    const published = await runTsx('scripts/publish-runtime.ts', ['--env', 'canbad', '--image-digest', good, '--poll-interval-ms', '20', '--json']);
    // Assess
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'ROLLED_BACK' });
    expect(JSON.parse(refused.stdout).error.message).toMatch(/canary check of version \d+ failed: invocation: ping/);
    expect(afterBad).toBe(before);
    expect(published.code).toBe(0);
    const result = JSON.parse(published.stdout);
    expect(result.plan.steps.map((s: { kind: string }) => s.kind)).toContain('canary_check');
    expect(result.canary.checks.map((c: { name: string; ok: boolean | null }) => [c.name, c.ok])).toEqual([
      ['digest', true],
      ['invocation', true],
      ['golden_task', null],
    ]);
    expect(await liveVersion(ctx)).toBe(result.runtimeVersion);
    const events = (await listAudit(ctx)).filter((e) => e.actor !== BOOTSTRAP_ACTOR);
    expect(events.find((e) => e.to_digest === good && e.outcome === 'succeeded')).toMatchObject({ smoke: 'passed' });
    expect(events.find((e) => e.to_digest === bad && e.outcome === 'rolled_back')?.error).toMatch(/CANARY_CHECK_FAILED|canary check/);
  });

  it('--dry-run prints the canary check on by default; --no-canary-check leaves it out', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('canoff', clients);
    await pushImage(ctx, 'x');
    // Act
    const on = await runTsx('scripts/publish-runtime.ts', ['--env', 'canoff', '--image-tag', 'x', '--dry-run', '--json']);
    const off = await runTsx('scripts/publish-runtime.ts', ['--env', 'canoff', '--image-tag', 'x', '--dry-run', '--no-canary-check', '--json']);
    // Assess
    expect([on.code, off.code]).toEqual([0, 0]);
    const kinds = (run: { stdout: string }) => (JSON.parse(run.stdout).plan.steps as { kind: string }[]).map((s) => s.kind);
    expect(kinds(on)).toEqual(['write_pointer', 'update_runtime', 'wait_version', 'move_endpoint', 'canary_check', 'move_endpoint', 'labels', 'audit']);
    expect(kinds(off)).toEqual(['write_pointer', 'update_runtime', 'wait_version', 'move_endpoint', 'labels', 'audit']);
  });

  it('a golden task that passes: recorded like any task, marked as a release check, live moves', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('cangold', clients);
    await fixtureRepo(ctx, 'acme/fixture');
    await setPolicy(ctx, { golden_task: { repo: 'acme/fixture', description: 'add a unit test for parse()' } });
    const digest = await pushImage(ctx, 'g1');
    // Act
    const result = await publishRuntime(ctx, { imageDigest: digest, canaryCheck: true, ...FAST, pollIntervalMs: 50 });
    // Assess
    expect(result.canary?.ok).toBe(true);
    expect(result.canary?.golden).toMatchObject({ status: 'COMPLETED', turns: 5, failures: [] });
    const [row] = await releaseTasks(ctx);
    expect(row).toMatchObject({ repo: 'acme/fixture', status: 'COMPLETED', runtime_qualifier: ctx.platform.canaryEndpoint });
    expect(await liveVersion(ctx)).toBe(result.runtimeVersion);
  });

  it.each([
    ['turns', { max_turns: 2 }, {}, {}, /golden_task: task-\w+ on acme\/fixture: 5 turns, limit 2/],
    ['outcome', {}, { max_turns: 2 }, {}, /outcome FAILED \(agent: the plan needs 5 turns but max_turns for acme\/fixture is 2\)/],
    ['duration', { max_duration_seconds: 1 }, {}, { ABCA_AGENT_STEP_MS: '1500' }, /s, limit 1 s/],
  ])('a golden task over its %s limit fails the publish: live never moves', async (limit, limits, repo, agentEnv, reason) => {
    // Prepare
    const env = `cang${limit.slice(0, 3)}`;
    const ctx = await bootstrappedRuntime(env, clients);
    await fixtureRepo(ctx, 'acme/fixture', repo);
    await setPolicy(ctx, { golden_task: { repo: 'acme/fixture', description: 'add a unit test for parse()' }, limits });
    plane().setAgentEnv({ GIT_COMMIT: 'abc1234', ABCA_HEARTBEAT_MS: '100', ABCA_AGENT_STEP_MS: '0', ...agentEnv });
    const before = await liveVersion(ctx);
    const digest = await pushImage(ctx, `${limit}-1`);
    // Act
    const failure = await publishRuntime(ctx, { imageDigest: digest, canaryCheck: true, ...FAST, pollIntervalMs: 50 }).catch((e: unknown) => e);
    // Assess
    expect(failure).toMatchObject({ code: 'ROLLED_BACK' });
    expect((failure as Error).message).toMatch(reason);
    expect(await liveVersion(ctx)).toBe(before);
    const rows = await releaseTasks(ctx);
    expect(rows).toHaveLength(1);
    if (limit === 'duration') expect(rows[0]).toMatchObject({ status: 'CANCELLED' });
  });
});
