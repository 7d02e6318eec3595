/**
 * `npm run deploy:first`: the plan (exact commands), and its own steps against moto: the state
 * bucket, the image lookup or push, resume after a half-finished run, a second run as a no-op,
 * the GitHub hints and gh commands. Terraform, docker and gh are FakePrograms (test/deploy/support.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { applyPlan, type ApplyReport } from '../../src/deploy/apply';
import { defaultStateBucket, planFirstDeploy, type FirstDeployInput } from '../../src/deploy/first-deploy';
import { formatGithubHints, githubCommands } from '../../src/deploy/github';
import { renderCommand } from '../../src/deploy/command';
import { IMAGE_DIGEST_PLACEHOLDER, stepCommands, type Plan } from '../../src/deploy/plan';
import { awsDeps } from '../../src/cli-support/deploy';
import { StateBucket, tlsOnlyStatement, versioningWaitMs } from '../../src/deploy/state-bucket';
import { ECR_REPOSITORY_ADDRESS } from '../../src/deploy/terraform';
import { pushLocalImage } from '../../src/local/images';
import { captureCalls } from '../support/faults';
import { useMoto } from '../support/moto';
import { FakePrograms } from './support';

useMoto();

const ACCOUNT = '123456789012';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-first-deploy-'));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

const input = (over: Partial<FirstDeployInput> = {}): FirstDeployInput => ({
  env: 'dev',
  region: 'us-east-1',
  accountId: ACCOUNT,
  githubRepository: 'acme/abca',
  commit: COMMIT,
  outdir: path.join(OUT, over.env ?? 'dev'),
  applyGithub: false,
  waitIntervalSeconds: 1,
  ...over,
});

const clients = (region = 'us-east-1') => awsDeps(region, ACCOUNT);
const run = (plan: Plan, programs: FakePrograms, region?: string): Promise<ApplyReport> =>
  applyPlan(plan, { ...clients(region), runner: programs, log: () => {}, sleep: async () => {} });
const outcomes = (r: ApplyReport) => Object.fromEntries(r.results.map((x) => [x.id, x.outcome]));

describe('the plan', () => {
  it('is the exact commands, in order, for an empty account', () => {
    // Prepare
    const out = path.join(OUT, 'dev');
    const stack = `${out}/stacks/infra`;
    const ctx = (extra: Record<string, string> = {}) =>
      `CHECKPOINT_DISABLE=1 CDKTF_CONTEXT_JSON='${JSON.stringify({ env: 'dev', region: 'us-east-1', githubRepository: 'acme/abca', stateBucket: `abca-tfstate-${ACCOUNT}-us-east-1`, ...extra })}'`;
    // Act
    const plan = planFirstDeploy(input());
    // Assess
    expect(plan.steps.map((s) => s.id)).toEqual([
      'state-bucket',
      'local-state',
      'synth',
      'init',
      'deploy-ecr',
      'image',
      'synth-with-image',
      'init-again',
      'deploy',
      'runtime-status',
      'github',
    ]);
    expect(plan.steps.flatMap(stepCommands).map(renderCommand)).toEqual([
      `${ctx()} npx cdktf synth --output ${out}`,
      `terraform -chdir=${stack} init -input=false`,
      `terraform -chdir=${stack} apply -input=false -auto-approve -target=${ECR_REPOSITORY_ADDRESS}`,
      `<ECR authorization token> | docker login --username AWS --password-stdin ${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`,
      `docker buildx build agent --file agent/Dockerfile --platform linux/arm64 --provenance=false --sbom=false --build-arg GIT_COMMIT=${COMMIT} --tag ${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/abca-dev-agent:bootstrap-0123456789ab --push --metadata-file ${out}/abca-first-image.json`,
      `${ctx({ initialImageDigest: IMAGE_DIGEST_PLACEHOLDER })} npx cdktf synth --output ${out}`,
      `terraform -chdir=${stack} init -input=false`,
      `terraform -chdir=${stack} apply -input=false -auto-approve`,
      'npx tsx scripts/runtime-status.ts --env dev',
    ]);
    expect(plan).toMatchObject({ env: 'dev', stateBucket: defaultStateBucket(ACCOUNT, 'us-east-1'), stateKey: 'abca/dev/infra.tfstate' });
  });

  it('with --image-digest: one synth that already holds it, and no build', () => {
    // Act
    const plan = planFirstDeploy(
      input({
        imageDigest: `sha256:${'e'.repeat(64)}`,
        stateBucket: 'acme-tf-state',
        githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
        manageApiGatewayAccount: false,
      }),
    );
    const commands = plan.steps.flatMap(stepCommands);
    // Assess
    expect(plan.steps.map((s) => s.id)).toEqual(['state-bucket', 'local-state', 'synth', 'init', 'deploy-ecr', 'image', 'deploy', 'runtime-status', 'github']);
    expect(commands.filter((c) => c.argv[0] === 'docker')).toEqual([]);
    expect(JSON.parse(commands[0]!.env!.CDKTF_CONTEXT_JSON!)).toEqual({
      env: 'dev',
      region: 'us-east-1',
      githubRepository: 'acme/abca',
      stateBucket: 'acme-tf-state',
      githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      manageApiGatewayAccount: 'false',
      initialImageDigest: `sha256:${'e'.repeat(64)}`,
    });
  });

  it.each<[Partial<FirstDeployInput>, RegExp]>([
    [{ githubRepository: 'acme' }, /--github-repository must be "owner\/repo"/],
    [{ env: 'Prod' }, /invalid environment name "Prod"/],
    [{ imageDigest: 'latest' }, /--image-digest must look like sha256:<64 hex>/],
    [{ stateBucket: 'Bad_Bucket' }, /--state-bucket must be an S3 bucket name/],
    [{ region: 'mars' }, /region must be an AWS region/],
  ])('refuses %j before anything runs', (over, message) => {
    // Act + Assess
    expect(() => planFirstDeploy(input(over))).toThrow(message);
  });
});

describe('a first deploy, then a second run', () => {
  const programs = new FakePrograms({ notReadyTimes: 1 });
  const plan = planFirstDeploy(input({ env: 'dev' }));
  let first: ApplyReport;
  let second: ApplyReport;
  let secondCalls: string[];

  beforeAll(async () => {
    first = await run(plan, programs);
    const again = new FakePrograms();
    second = await run(planFirstDeploy(input({ env: 'dev' })), again);
    secondCalls = again.writes();
  });

  it('runs every step', () => {
    // Assess
    expect(first.ok).toBe(true);
    expect(outcomes(first)).toEqual({
      'state-bucket': 'done',
      'local-state': 'skipped',
      synth: 'done',
      init: 'done',
      'deploy-ecr': 'done',
      image: 'done',
      'synth-with-image': 'done',
      'init-again': 'done',
      deploy: 'done',
      'runtime-status': 'done',
      github: 'skipped',
    });
  });

  it('creates the state bucket with versioning, encryption and public access blocked', async () => {
    // Prepare
    const s3 = new S3Client({ region: 'us-east-1' });
    const Bucket = plan.stateBucket;
    // Act
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket }));
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    // Assess
    expect(versioning.Status).toBe('Enabled');
    expect(encryption.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault!.SSEAlgorithm).toBe('AES256');
    expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('pushes the image once and deploys the rest with its digest', async () => {
    // Prepare
    const pointer = await new SSMClient({ region: 'us-east-1' }).send(new GetParameterCommand({ Name: '/abca/dev/runtime/image-digest' }));
    const synths = programs.calls.filter((c) => c.includes('cdktf synth'));
    // Assess
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pointer.Parameter!.Value).toBe(first.digest);
    expect(programs.calls.filter((c) => c.includes('docker buildx'))).toHaveLength(1);
    expect(programs.secrets).toHaveLength(1);
    expect(programs.secrets[0]).toBeTruthy();
    expect(synths).toHaveLength(2);
    expect(synths[1]).toContain(`"initialImageDigest":"${first.digest}"`);
    expect(synths[1]).not.toContain(IMAGE_DIGEST_PLACEHOLDER);
  });

  it('waits while runtime-status says not yet, then passes', () => {
    // Assess
    expect(programs.calls.filter((c) => c.includes('runtime-status'))).toHaveLength(2);
    expect(first.results.find((r) => r.id === 'runtime-status')!.detail).toContain('in sync');
  });

  it('prints what to set in GitHub: variables, environments and their protection', () => {
    // Assess
    expect(first.githubHints).toContain('ABCA_DEPLOY_ENV=dev');
    expect(first.githubHints).toContain('Environment dev-infra ');
    expect(first.githubHints).toContain('required reviewers: yes (add at least one), prevent self-review');
    expect(first.githubHints).toContain(`ABCA_STATE_BUCKET=${plan.stateBucket}`);
    expect(first.githubHints).toContain(`AWS_ACCOUNT_ID=${ACCOUNT}`);
    expect(first.githubHints).toContain('Environment dev-runtime');
  });

  it('changes nothing the second time', () => {
    // Assess
    expect(second.ok).toBe(true);
    expect(outcomes(second)).toMatchObject({ 'state-bucket': 'skipped', 'deploy-ecr': 'skipped', image: 'skipped', deploy: 'skipped' });
    expect(second.digest).toBe(first.digest);
    expect(secondCalls).toEqual([]);
  });
});

describe('a half-finished run resumes', () => {
  it('after the full apply failed: no second image, the deploy runs again', async () => {
    // Prepare
    const programs = new FakePrograms({ failFullApplies: 1 });
    const plan = planFirstDeploy(input({ env: 'resume' }));
    // Act
    const broken = await run(plan, programs);
    const resumed = new FakePrograms();
    const done = await run(planFirstDeploy(input({ env: 'resume' })), resumed);
    // Assess
    expect(broken.ok).toBe(false);
    expect(broken.error!.code).toBe('STEP_FAILED');
    expect(outcomes(broken)).toMatchObject({ image: 'done', deploy: 'failed', 'runtime-status': 'not-run', github: 'not-run' });
    expect(done.ok).toBe(true);
    expect(outcomes(done)).toMatchObject({ 'state-bucket': 'skipped', 'deploy-ecr': 'skipped', image: 'skipped', deploy: 'done' });
    expect(done.digest).toBe(broken.digest);
    expect(done.results.find((r) => r.id === 'image')!.detail).toContain('bootstrap-0123456789ab already pushed');
    expect(resumed.writes()).toEqual([`terraform -chdir=${path.join(OUT, 'resume')}/stacks/infra apply -input=false -auto-approve`]);
  });
});

describe('an environment deployed earlier with local state', () => {
  it('moves the local state file into the bucket once, so the apply starts from it', async () => {
    // Prepare: the old guide's local state, holding the ECR repository
    const file = path.join(OUT, 'terraform.infra-legacy.tfstate');
    const local = JSON.stringify({
      version: 4,
      serial: 7,
      lineage: 'l-1',
      resources: [{ mode: 'managed', type: 'aws_ecr_repository', name: 'application_repository_01F2E0FD', instances: [{ attributes: {} }] }],
    });
    fs.writeFileSync(file, local);
    const plan = planFirstDeploy(input({ env: 'legacy', localStateFile: file, stateBucket: 'acme-legacy-state' }));
    const programs = new FakePrograms({ failFullApplies: 1 });
    // Act
    const first = await run(plan, programs);
    const remote = await new StateBucket(new S3Client({ region: 'us-east-1' }), ACCOUNT).read('acme-legacy-state', 'abca/legacy/infra.tfstate');
    const again = await run(plan, new FakePrograms({ failFullApplies: 1 }));
    // Assess
    expect(outcomes(first)).toMatchObject({ 'local-state': 'done', 'deploy-ecr': 'skipped' });
    expect(first.results.find((r) => r.id === 'local-state')!.detail).toContain('uploaded');
    expect(remote).toBe(local);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(`${file}.uploaded`, 'utf8')).toBe(local);
    expect(again.results.find((r) => r.id === 'local-state')!).toMatchObject({ outcome: 'skipped', detail: `no local state (${file})` });
  });

  it('refuses when the local and the remote state both exist and differ', async () => {
    // Prepare
    const file = path.join(OUT, 'terraform.infra-split.tfstate');
    const state = (serial: number) =>
      JSON.stringify({ version: 4, serial, resources: [{ mode: 'managed', type: 'aws_vpc', name: 'v', instances: [{ attributes: {} }] }] });
    fs.writeFileSync(file, state(1));
    const s3 = new S3Client({ region: 'us-east-1' });
    await new StateBucket(s3, ACCOUNT, { tlsOnly: false }).ensure('acme-split-state', 'us-east-1'); // the test writes over plain HTTP below
    await s3.send(new PutObjectCommand({ Bucket: 'acme-split-state', Key: 'abca/split/infra.tfstate', Body: state(2) }));
    // Act
    const report = await run(planFirstDeploy(input({ env: 'split', localStateFile: file, stateBucket: 'acme-split-state' })), new FakePrograms());
    // Assess
    expect(report.ok).toBe(false);
    expect(report.error!.code).toBe('STATE_CONFLICT');
    expect(outcomes(report)).toMatchObject({ 'local-state': 'failed', synth: 'not-run' });
  });
});

describe('--image-digest', () => {
  it('is refused when the image is not in the repository, after the repository exists', async () => {
    // Prepare
    const plan = planFirstDeploy(input({ env: 'given', imageDigest: `sha256:${'f'.repeat(64)}` }));
    // Act
    const report = await run(plan, new FakePrograms());
    // Assess
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    expect(outcomes(report)).toMatchObject({ 'deploy-ecr': 'done', image: 'failed', deploy: 'not-run' });
  });

  it('deploys with an image pushed meanwhile, without docker, and the pointer starts at it', async () => {
    // Prepare: an image pushed (blobs, then manifest) to the repository the failed run created
    const digest = await pushLocalImage(new ECRClient({ region: 'us-east-1' }), 'abca-given-agent', 'ci-build-1');
    const programs = new FakePrograms();
    // Act
    const report = await run(planFirstDeploy(input({ env: 'given', imageDigest: digest })), programs);
    const pointer = await new SSMClient({ region: 'us-east-1' }).send(new GetParameterCommand({ Name: '/abca/given/runtime/image-digest' }));
    // Assess
    expect(report.ok).toBe(true);
    expect(outcomes(report)).toMatchObject({ 'deploy-ecr': 'skipped', image: 'skipped', deploy: 'done' });
    expect(programs.calls.filter((c) => c.startsWith('docker') || c.includes('| docker'))).toEqual([]);
    expect(pointer.Parameter!.Value).toBe(digest);
  });
});

describe('the state bucket step', () => {
  it('completes a bucket that exists without the settings, and never recreates it', async () => {
    // Prepare
    const s3 = new S3Client({ region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-existing-state' }));
    await s3.send(new PutObjectCommand({ Bucket: 'acme-existing-state', Key: 'keep.txt', Body: 'x' }));
    // Act
    const changed = await new StateBucket(s3, ACCOUNT).ensure('acme-existing-state', 'us-east-1');
    const again = await new StateBucket(s3, ACCOUNT).ensure('acme-existing-state', 'us-east-1');
    // Assess
    expect(changed).not.toContain('created');
    expect(changed).toEqual(expect.arrayContaining(['versioning', 'public access block']));
    expect(again).toEqual([]);
  });

  it('creates the bucket in another region with its LocationConstraint', async () => {
    // Prepare
    const s3 = new S3Client({ region: 'eu-west-1' });
    // Act
    const changed = await new StateBucket(s3, ACCOUNT).ensure('acme-eu-state', 'eu-west-1');
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'acme-eu-state' }));
    // Assess
    expect(changed[0]).toBe('created');
    expect(location.LocationConstraint).toBe('eu-west-1');
  });
});

describe('GitHub with --apply-github', () => {
  it('runs exactly the gh commands: environments, missing branch policies, variables', async () => {
    // Prepare
    const plan = planFirstDeploy(input({ env: 'gh', applyGithub: true, githubReviewers: ['alice'] }));
    const programs = new FakePrograms({ branchPolicies: { 'gh-infra': 'main\n' }, githubUsers: { alice: 4242 } });
    const step = plan.steps.find((s) => s.kind === 'github')!;
    // Act
    const report = await run(plan, programs);
    const gh = programs.calls.filter((c) => c.startsWith('gh ') || c.includes('| gh '));
    // Assess
    expect(report.ok).toBe(true);
    expect(step.kind === 'github' && githubCommands(step.setup).put.map(renderCommand)).toEqual(
      expect.arrayContaining(['gh variable set ABCA_DEPLOY_ENV --repo acme/abca --body gh']),
    );
    const bucket = defaultStateBucket(ACCOUNT, 'us-east-1');
    const put = (env: string, selfReview: boolean, reviewers = '') =>
      `printf '%s' '{"prevent_self_review":${selfReview},"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}${reviewers}}' | gh api --method PUT repos/acme/abca/environments/${env} --input -`;
    const list = (env: string) => `gh api repos/acme/abca/environments/${env}/deployment-branch-policies --jq '.branch_policies[].name'`;
    const add = (env: string) => `gh api --method POST repos/acme/abca/environments/${env}/deployment-branch-policies -f name=main -f type=branch`;
    const vars = (env: string, extra: boolean) => [
      `gh variable set AWS_ACCOUNT_ID --repo acme/abca --env ${env} --body ${ACCOUNT}`,
      `gh variable set AWS_REGION --repo acme/abca --env ${env} --body us-east-1`,
      ...(extra ? [`gh variable set ABCA_STATE_BUCKET --repo acme/abca --env ${env} --body ${bucket}`] : []),
    ];
    expect(gh).toEqual([
      'gh api users/alice --jq .id',
      put('gh-infra-plan', false),
      put('gh-infra', true, ',"reviewers":[{"type":"User","id":4242}]'),
      put('gh-runtime', false),
      list('gh-infra-plan'),
      add('gh-infra-plan'),
      list('gh-infra'),
      list('gh-runtime'),
      add('gh-runtime'),
      'gh variable set ABCA_DEPLOY_ENV --repo acme/abca --body gh',
      ...vars('gh-infra-plan', true),
      ...vars('gh-infra', true),
      ...vars('gh-runtime', false),
    ]);
    expect(report.results.find((r) => r.id === 'github')!.detail).toBe('environments, 9 variables and 2 new branch policies set');
    // The plan (what --dry-run prints) lists the same commands, reviewer ids not yet looked up.
    expect(stepCommands(step).map(renderCommand)).toEqual([
      'gh api users/alice --jq .id',
      put('gh-infra-plan', false),
      put('gh-infra', true, ',"reviewers":[{"type":"User","id":"<id of alice>"}]'),
      put('gh-runtime', false),
      list('gh-infra-plan'),
      list('gh-infra'),
      list('gh-runtime'),
      ...gh.filter((c) => c.startsWith('gh variable set')),
    ]);
  });

  it('refuses a reviewer GitHub does not know, before setting anything', async () => {
    // Prepare
    const plan = planFirstDeploy(input({ env: 'gh2', applyGithub: true, githubReviewers: ['nobody-here'] }));
    const programs = new FakePrograms();
    // Act
    const report = await run(plan, programs);
    // Assess
    expect(report.error).toMatchObject({ code: 'GITHUB_REVIEWER_NOT_FOUND' });
    expect(programs.calls.filter((c) => c.includes('gh api --method') || c.includes('gh variable'))).toEqual([]);
  });

  it('without reviewers, says to add them by hand', async () => {
    // Prepare
    const plan = planFirstDeploy(input({ env: 'gh3', applyGithub: true }));
    // Act
    const report = await run(plan, new FakePrograms());
    // Assess
    expect(report.results.find((r) => r.id === 'github')!.detail).toContain('add required reviewers to gh3-infra by hand (or pass --github-reviewer)');
  });

  it('formats the hints for a person', () => {
    // Prepare
    const plan = planFirstDeploy(input({ env: 'gh' }));
    const step = plan.steps.find((s) => s.kind === 'github')!;
    // Act
    const text = step.kind === 'github' ? formatGithubHints(step.setup) : '';
    // Assess
    expect(text.split('\n').slice(0, 4)).toEqual([
      'GitHub setup for acme/abca (Settings → Environments / Secrets and variables → Actions → Variables):',
      '',
      'Repository variables:',
      '  ABCA_DEPLOY_ENV=gh',
    ]);
    expect(text).toContain('deployment branches: main only');
  });
});

describe('the state bucket: owner, TLS, versioning propagation', () => {
  it('sends ExpectedBucketOwner on every call to the bucket (CreateBucket takes none)', async () => {
    // Prepare
    const s3 = new S3Client({ region: 'us-east-1' });
    const sent = captureCalls<{ ExpectedBucketOwner?: string }>(s3);
    const bucket = new StateBucket(s3, ACCOUNT, { tlsOnly: false });
    // Act
    await bucket.ensure('acme-owned-state', 'us-east-1');
    await bucket.write('acme-owned-state', 'abca/x/infra.tfstate', '{}');
    await bucket.read('acme-owned-state', 'abca/x/infra.tfstate');
    // Assess
    const calls = sent.filter((c) => c.command !== 'CreateBucket');
    expect(calls.map((c) => c.command)).toEqual(expect.arrayContaining(['HeadBucket', 'PutBucketVersioning', 'PutObject', 'GetObject']));
    expect(calls.filter((c) => c.input.ExpectedBucketOwner !== ACCOUNT).map((c) => c.command)).toEqual([]);
  });

  it('adds a statement denying requests without TLS, keeps the owner’s own statements, and moto then refuses plain HTTP', async () => {
    // Prepare: a bucket whose owner keeps a policy of their own
    const s3 = new S3Client({ region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-tls-state' }));
    const own = { Sid: 'OwnersOwn', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: 'arn:aws:s3:::acme-tls-state' };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'acme-tls-state', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [own] }) }));
    const bucket = new StateBucket(s3, ACCOUNT);
    // Act
    const changed = await bucket.ensure('acme-tls-state', 'us-east-1');
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'acme-tls-state' }))).Policy!);
    const plainHttp = await s3.send(new PutObjectCommand({ Bucket: 'acme-tls-state', Key: 'k', Body: 'x' })).then(
      () => 'written',
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
    );
    // Assess
    expect(changed).toContain('TLS-only policy');
    expect(policy.Statement).toEqual([own, tlsOnlyStatement('acme-tls-state')]);
    expect(tlsOnlyStatement('acme-tls-state')).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(plainHttp).toBe(403);
  });

  it('waits out the 15 minutes after first enabling versioning, visibly; a resumed run waits only the rest; then never again', async () => {
    // Prepare: a clock the test moves; sleeping moves it
    let clock = Date.parse('2026-12-03T12:00:00Z');
    const sleeps: number[] = [];
    const lines: string[] = [];
    const deps = (programs: FakePrograms) => ({
      ...clients(),
      runner: programs,
      log: (l: string) => lines.push(l),
      now: () => clock,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    const plan = planFirstDeploy(input({ env: 'wait', stateBucket: 'acme-wait-state' }));
    const bucketOnly = { ...plan, steps: plan.steps.slice(0, 1) };
    const stopAfter = (n: number) => ({
      ...deps(new FakePrograms()),
      sleep: async (ms: number) => {
        if (sleeps.length === n) throw new Error('interrupted (Ctrl-C)');
        sleeps.push(ms);
        clock += ms;
      },
    });
    // Act: a first run stopped after 5 minutes of waiting, the same command again, and a third run
    const stopped = await applyPlan(bucketOnly, stopAfter(5));
    clock += 60_000; // the operator takes a minute to run it again
    const resumed = await applyPlan(bucketOnly, deps(new FakePrograms()));
    const waitsOfResumed = sleeps.slice(5);
    const third = await applyPlan(bucketOnly, deps(new FakePrograms()));
    // Assess
    expect(stopped.ok).toBe(false);
    expect(sleeps.slice(0, 5)).toEqual([60_000, 60_000, 60_000, 60_000, 60_000]);
    expect(resumed.ok).toBe(true);
    expect(waitsOfResumed.reduce((a, b) => a + b, 0)).toBe(9 * 60_000); // 15 - 5 waited - 1 elapsed
    expect(resumed.results[0]!.detail).toContain('waited 9 min for versioning to propagate');
    expect(lines.some((l) => l.includes('S3 recommends waiting that long before writing objects'))).toBe(true);
    expect(lines.some((l) => /acme-wait-state: \d+ min left/.test(l))).toBe(true);
    expect(third.results[0]).toMatchObject({ outcome: 'skipped' });
    expect(sleeps).toHaveLength(5 + waitsOfResumed.length);
  });

  it('versioningWaitMs: the rest of 15 minutes, never more, 0 without a time (pure)', () => {
    const at = '2026-12-03T12:00:00.000Z';
    expect(versioningWaitMs(at, Date.parse(at))).toBe(15 * 60_000);
    expect(versioningWaitMs(at, Date.parse(at) + 14 * 60_000)).toBe(60_000);
    expect(versioningWaitMs(at, Date.parse(at) + 16 * 60_000)).toBe(0);
    expect(versioningWaitMs(at, Date.parse(at) - 60 * 60_000)).toBe(15 * 60_000); // a clock behind: bounded
    expect(versioningWaitMs('settled', Date.parse(at))).toBe(0);
    expect(versioningWaitMs(undefined, Date.parse(at))).toBe(0);
  });
});
