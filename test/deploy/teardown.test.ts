/**
 * `npm run teardown`: refused without confirmation; the plan's exact commands; against moto, it
 * turns deletion protection off, empties ECR (which AWS requires before the repository can go),
 * destroys, and a second run finds nothing left to do.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { applyPlan, type ApplyReport } from '../../src/deploy/apply';
import { awsDeps } from '../../src/cli-support/deploy';
import { planFirstDeploy } from '../../src/deploy/first-deploy';
import { renderCommand } from '../../src/deploy/command';
import { stepCommands, type Plan } from '../../src/deploy/plan';
import { planTeardown } from '../../src/deploy/teardown';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { FakePrograms, POOL_ADDRESS, TABLE_ADDRESS } from './support';

useMoto();

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-teardown-'));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));
const ACCOUNT = '123456789012';
const run = (plan: Plan, programs: FakePrograms): Promise<ApplyReport> =>
  applyPlan(plan, { ...awsDeps(undefined, '123456789012'), runner: programs, log: () => {}, sleep: async () => {} });
const outcomes = (r: ApplyReport) => Object.fromEntries(r.results.map((x) => [x.id, x.outcome]));
const teardown = (confirm?: string) => planTeardown({ env: 'gone', region: 'us-east-1', accountId: ACCOUNT, confirm, outdir: OUT });

describe('teardown plan', () => {
  it.each([undefined, 'dev'])('is refused with --confirm %s', (confirm) => {
    // Act + Assess
    expect(() => teardown(confirm)).toThrow(/pass --confirm gone to go ahead/);
  });

  it('is the exact commands: synth with protection off, init, targeted apply, destroy', () => {
    // Act
    const plan = teardown('gone');
    // Assess
    expect(plan.steps.map((s) => s.id)).toEqual(['synth', 'init', 'deletion-protection-off', 'empty-ecr', 'destroy']);
    expect(plan.steps.flatMap(stepCommands).map(renderCommand)).toEqual([
      `CHECKPOINT_DISABLE=1 CDKTF_CONTEXT_JSON='{"env":"gone","region":"us-east-1","stateBucket":"abca-tfstate-${ACCOUNT}-us-east-1","deletionProtection":"false"}' npx cdktf synth --output ${OUT}`,
      `terraform -chdir=${OUT}/stacks/infra init -input=false`,
      `terraform -chdir=${OUT}/stacks/infra apply -input=false -auto-approve '-target=<each aws_dynamodb_table, aws_cognito_user_pool in ${OUT}/stacks/infra/cdk.tf.json>'`,
      `terraform -chdir=${OUT}/stacks/infra destroy -input=false -auto-approve`,
    ]);
  });
});

describe('teardown of a deployed environment', () => {
  let programs: FakePrograms;
  let first: ApplyReport;
  let second: ApplyReport;
  let secondWrites: string[];

  beforeAll(async () => {
    const deployed = await run(
      planFirstDeploy({
        env: 'gone',
        region: 'us-east-1',
        accountId: ACCOUNT,
        githubRepository: 'acme/abca',
        commit: 'abcdef1234567',
        outdir: OUT,
        applyGithub: false,
      }),
      new FakePrograms(),
    );
    if (!deployed.ok) throw new Error(`setup deploy failed: ${deployed.error?.message}`);
    programs = new FakePrograms();
    first = await run(teardown('gone'), programs);
    const again = new FakePrograms();
    second = await run(teardown('gone'), again);
    secondWrites = again.writes();
  });

  it('turns protection off on exactly the protected resources, empties ECR, destroys', async () => {
    // Prepare
    const repos = await new ECRClient({}).send(new DescribeRepositoriesCommand({})).then((r) => r.repositories ?? []);
    // Assess
    expect(first.ok).toBe(true);
    expect(outcomes(first)).toEqual({ synth: 'done', init: 'done', 'deletion-protection-off': 'done', 'empty-ecr': 'done', destroy: 'done' });
    expect(programs.writes()).toEqual([
      `terraform -chdir=${OUT}/stacks/infra apply -input=false -auto-approve -target=${TABLE_ADDRESS} -target=${POOL_ADDRESS}`,
      `terraform -chdir=${OUT}/stacks/infra destroy -input=false -auto-approve`,
    ]);
    expect(first.results.find((r) => r.id === 'empty-ecr')!.detail).toBe('deleted 1 image(s)');
    expect(repos.map((r) => r.repositoryName)).not.toContain('abca-gone-agent');
  });

  it('finds nothing to do the second time', () => {
    // Assess
    expect(second.ok).toBe(true);
    expect(outcomes(second)).toMatchObject({ 'deletion-protection-off': 'skipped', 'empty-ecr': 'skipped', destroy: 'skipped' });
    expect(secondWrites).toEqual([]);
  });
});

describe('scripts/teardown.ts', () => {
  it('refuses without --confirm, with exit 2, before any AWS call', async () => {
    // Act
    const r = await runTsx('scripts/teardown.ts', ['--env', 'gone'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIRMATION_REQUIRED: teardown destroys environment "gone" and its data: pass --confirm gone to go ahead');
  });

  it('--dry-run prints the plan', async () => {
    // Act
    const r = await runTsx('scripts/teardown.ts', ['--env', 'gone', '--confirm', 'gone', '--dry-run']);
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('teardown of "gone" in account 123456789012, us-east-1; state s3://abca-tfstate-123456789012-us-east-1/abca/gone/infra.tfstate');
    expect(r.stdout).toContain('terraform -chdir=cdktf.out/stacks/infra destroy -input=false -auto-approve');
  });
});
